import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openDatabase, type OpenDatabase } from '../../src/adapters/db/open-database.js';
import { requireService } from './availability.js';

const ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** True when the machine's PostgreSQL answers; suites call `requireService` with it. */
export async function postgresAvailable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A new, empty database on the machine's PostgreSQL; `drop` removes it even with connections open. */
export async function freshPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `gatehouse_test_${randomBytes(6).toString('hex')}`;
  await admin(`create database ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`drop database if exists ${name} with (force)`) };
}

/** A temporary data directory for the embedded PostgreSQL; `cleanup` removes it. */
export async function freshEmbeddedDatabase(): Promise<{ dataDir: string; cleanup(): Promise<void> }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'gatehouse-embedded-'));
  return { dataDir, cleanup: () => rm(dataDir, { recursive: true, force: true }) };
}

async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/**
 * Inside a describe: a fresh database on the machine's PostgreSQL, opened (migrated) before the
 * suite and closed and dropped after it. The getter is for the tests; it is only valid inside them.
 */
export function openedFreshPostgres(options: { poolSize?: number } = {}): () => OpenDatabase {
  let database: OpenDatabase | undefined;
  let drop: (() => Promise<void>) | undefined;
  before(async function () {
    requireService(this, await postgresAvailable(), 'PostgreSQL on 127.0.0.1:5432');
    const fresh = await freshPostgresDatabase();
    drop = fresh.drop;
    database = await openDatabase({ databaseUrl: fresh.url, dataDir: 'unused', ...options });
  });
  after(async () => {
    await database?.close();
    await drop?.();
  });
  return () => database!;
}
