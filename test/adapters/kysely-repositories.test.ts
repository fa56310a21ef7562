import { sql, type Kysely } from 'kysely';
import { KyselyItemRepository } from '../../src/adapters/db/kysely-item-repository.js';
import { KyselyUserRepository } from '../../src/adapters/db/kysely-user-repository.js';
import { openDatabase, type OpenDatabase } from '../../src/adapters/db/open-database.js';
import type { Database } from '../../src/adapters/db/schema.js';
import { InMemoryItemRepository } from '../fakes/in-memory-item-repository.js';
import { InMemoryUserRepository } from '../fakes/in-memory-user-repository.js';
import { itemRepositoryContract } from '../contracts/item-repository-contract.js';
import { userRepositoryContract } from '../contracts/user-repository-contract.js';
import { freshEmbeddedDatabase, openedFreshPostgres } from '../support/postgres.js';

/** Empties the tables and builds new repositories (so no memo survives from the previous test). */
async function kyselyHarness(db: Kysely<Database>) {
  await sql`truncate table items, users restart identity cascade`.execute(db);
  return { items: new KyselyItemRepository(db), users: new KyselyUserRepository(db), close: async () => undefined };
}

describe('Kysely repositories on the machine PostgreSQL', function () {
  const database = openedFreshPostgres();
  itemRepositoryContract('Kysely + PostgreSQL', () => kyselyHarness(database().db));
  userRepositoryContract('Kysely + PostgreSQL', () => kyselyHarness(database().db));
});

describe('Kysely repositories on the embedded PostgreSQL', function () {
  let database: OpenDatabase | undefined;
  let cleanup: (() => Promise<void>) | undefined;
  before(async function () {
    this.timeout(60_000);
    const fresh = await freshEmbeddedDatabase();
    cleanup = fresh.cleanup;
    database = await openDatabase({ dataDir: fresh.dataDir }); // one instance for the suite: a start takes ~2 s
  });
  after(async () => {
    await database?.close();
    await cleanup?.();
  });
  itemRepositoryContract('Kysely + embedded PostgreSQL', () => kyselyHarness(database!.db));
  userRepositoryContract('Kysely + embedded PostgreSQL', () => kyselyHarness(database!.db));
});

describe('the in-memory fakes', () => {
  const fakes = async () => {
    const users = new InMemoryUserRepository();
    return { users, items: new InMemoryItemRepository(users.userById), close: async () => undefined };
  };
  itemRepositoryContract('in-memory fake', fakes);
  userRepositoryContract('in-memory fake', fakes);
});
