import { openDatabase, type OpenDatabase } from '../adapters/db/open-database.js';
import type { Config } from '../config.js';
import { runningEmbeddedPostgres } from './running-embedded-postgres.js';

export interface AdminDatabase extends OpenDatabase {
  /** How it was reached, for the debug log. */
  reached: 'DATABASE_URL' | 'the running server\'s embedded PostgreSQL' | 'the embedded PostgreSQL, started for this command';
}

/**
 * The server's database, whether or not the server runs: DATABASE_URL; else the embedded PostgreSQL
 * a running server owns in DATA_DIR, joined as a client; else that embedded PostgreSQL started here
 * and stopped again by `close`. Migrated to the latest schema either way (a no-op when the server
 * got there first; the migrator's lock keeps two from racing).
 */
export async function openAdminDatabase(config: Pick<Config, 'databaseUrl' | 'dataDir'>, log: (msg: string) => void): Promise<AdminDatabase> {
  const settings = { dataDir: config.dataDir, poolSize: 2, log };
  if (config.databaseUrl) return { ...(await openDatabase({ ...settings, databaseUrl: config.databaseUrl })), reached: 'DATABASE_URL' };
  const running = await runningEmbeddedPostgres(config.dataDir);
  if (running) return { ...(await openDatabase({ ...settings, databaseUrl: running })), reached: 'the running server\'s embedded PostgreSQL' };
  return { ...(await openDatabase(settings)), reached: 'the embedded PostgreSQL, started for this command' };
}
