import { join } from 'node:path';
import { Kysely, Migrator, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { DatabaseUnavailable } from '../../domain/errors.js';
import { translate } from './db-errors.js';
import { DatabaseNotReached, isConnectionFailure } from './database-not-reached.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres.js';
import { migrationProvider } from './migrations/index.js';
import { preparingClient } from './preparing-client.js';
import type { Database } from './schema.js';

export interface DatabaseSettings {
  /** A PostgreSQL URL; without one, the embedded PostgreSQL under `dataDir` is started. */
  databaseUrl?: string;
  dataDir: string;
  poolSize?: number;
  log?: (msg: string) => void;
  /** Wraps the pool's client class (statement spans, when tracing is on). */
  decorateClient?: (client: typeof pg.Client) => typeof pg.Client;
}

export interface OpenDatabase {
  db: Kysely<Database>;
  mode: 'postgres' | 'embedded';
  /** Where it is, for a connection of one's own outside the pool (the retirement channel's LISTEN). */
  url: string;
  /** Ends the pool, then stops the embedded server if there is one. Safe to call twice. */
  close(): Promise<void>;
  /** `select 1`. @throws DatabaseUnavailable */
  ping(): Promise<void>;
  /** Connections open, idle, and queries waiting for one: for metrics, read at scrape time. */
  poolStats(): { total: number; idle: number; waiting: number };
}

/** Connects (starting the embedded PostgreSQL when there is no URL) and migrates to the latest schema. @throws DatabaseNotReached */
export async function openDatabase(settings: DatabaseSettings): Promise<OpenDatabase> {
  const log = settings.log ?? (() => undefined);
  let embedded: EmbeddedPostgres | undefined;
  if (!settings.databaseUrl) {
    embedded = await startEmbeddedPostgres({
      dir: join(settings.dataDir, 'postgres'),
      passwordFile: join(settings.dataDir, 'postgres.password'),
      log,
    });
  }
  const url = settings.databaseUrl ?? embedded!.url;
  const pool = new pg.Pool({
    connectionString: url,
    max: settings.poolSize ?? 10,
    connectionTimeoutMillis: 5_000, // a request waits this long for a connection, then gets a 503
    idleTimeoutMillis: 30_000,
    Client: settings.decorateClient ? settings.decorateClient(preparingClient()) : preparingClient(),
  });
  // An idle connection that dies (the server restarts) emits here; unhandled it would crash the process.
  pool.on('error', (err) => log(`idle database connection lost: ${err.message}`));
  // A connection that dies while checked out emits 'error' on its client, where the pool has no
  // listener: unhandled, that crashes the process. The query itself rejects and becomes a 503.
  pool.on('connect', (client) => client.on('error', (err) => log(`database connection lost: ${err.message}`)));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  let closing: Promise<void> | undefined;
  const close = () => (closing ??= db.destroy().finally(() => embedded?.stop()));
  try {
    await migrate(db, log);
  } catch (err) {
    await close();
    throw settings.databaseUrl && isConnectionFailure(err) ? new DatabaseNotReached(settings.databaseUrl, err) : translate(err);
  }
  return {
    db,
    mode: embedded ? 'embedded' : 'postgres',
    url,
    close,
    async ping() {
      try {
        await sql`select 1`.execute(db);
      } catch (err) {
        throw new DatabaseUnavailable({ cause: err });
      }
    },
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
  };
}

/** Kysely's migrator holds an advisory lock while it runs, so processes starting together apply each migration once. */
async function migrate(db: Kysely<Database>, log: (msg: string) => void): Promise<void> {
  const { error, results } = await new Migrator({ db, provider: migrationProvider }).migrateToLatest();
  for (const r of results ?? []) log(`migration ${r.migrationName}: ${r.status}`);
  if (error) throw error;
}
