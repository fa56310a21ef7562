import { openDatabase, type OpenDatabase } from '../../src/adapters/db/open-database.js';
import { PostgresRetirementChannel } from '../../src/adapters/db/postgres-retirement-channel.js';
import type { Retirement } from '../../src/ports/retirement-channel.js';
import { freshPostgresDatabase } from './postgres.js';

export interface ListeningDatabase {
  database: OpenDatabase;
  channel: PostgresRetirementChannel;
  /** Every retirement heard on the channel since the last `heard.length = 0`. */
  heard: Retirement[];
  close(): Promise<void>;
}

/** A fresh database on the machine PostgreSQL, migrated, with a retirement channel listening to it. */
export async function listeningDatabase(): Promise<ListeningDatabase> {
  const fresh = await freshPostgresDatabase();
  const database = await openDatabase({ databaseUrl: fresh.url, dataDir: 'unused' });
  const channel = new PostgresRetirementChannel({ connectionString: fresh.url, db: database.db, log: { info: () => undefined, warn: () => undefined } });
  const heard: Retirement[] = [];
  channel.subscribe({ retired: (r) => heard.push(r), deaf: () => undefined, listening: () => undefined });
  await channel.start();
  return { database, channel, heard, close: async () => { await channel.close(); await database.close(); await fresh.drop(); } };
}
