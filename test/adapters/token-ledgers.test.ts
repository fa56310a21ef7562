import { sql } from 'kysely';
import { KyselyTokenLedger } from '../../src/adapters/db/kysely-token-ledger.js';
import { PostgresRetirementChannel } from '../../src/adapters/db/postgres-retirement-channel.js';
import { tokenLedgerContract } from '../contracts/token-ledger-contract.js';
import { InMemoryRetirementChannel } from '../fakes/in-memory-retirement-channel.js';
import { InMemoryTokenLedger } from '../fakes/in-memory-token-ledger.js';
import { openedFreshPostgres } from '../support/postgres.js';

tokenLedgerContract('in-memory fake', async () => {
  const channel = new InMemoryRetirementChannel();
  const ledger = new InMemoryTokenLedger(channel);
  return { ledgers: [ledger, ledger], channel, close: async () => undefined };
});

describe('TokenLedger on the machine PostgreSQL', () => {
  const database = openedFreshPostgres();
  tokenLedgerContract('Kysely + PostgreSQL', async () => {
    const { db, url } = database();
    await sql`truncate table seen_tokens`.execute(db);
    const channel = new PostgresRetirementChannel({ connectionString: url, db, log: { info: () => undefined, warn: () => undefined } });
    await channel.start();
    return { ledgers: [new KyselyTokenLedger(db), new KyselyTokenLedger(db)], channel, close: () => channel.close() };
  });
});
