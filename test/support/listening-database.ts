import { randomUUID } from 'node:crypto';
import { openDatabase, type OpenDatabase } from '../../src/adapters/db/open-database.js';
import { PostgresRetirementChannel } from '../../src/adapters/db/postgres-retirement-channel.js';
import type { Retirement } from '../../src/ports/retirement-channel.js';
import { freshPostgresDatabase } from './postgres.js';

export interface ListeningDatabase {
  database: OpenDatabase;
  channel: PostgresRetirementChannel;
  /** Every retirement heard on the channel since the last `heard.length = 0`. */
  heard: Retirement[];
  /**
   * Resolves once everything published before it has been heard: NOTIFY reaches a listener in
   * commit order, so a mark published now arrives after all of it (the mark itself is not kept).
   */
  drained(): Promise<void>;
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
  const drained = async () => {
    const mark = `drained-${randomUUID()}`;
    const isMark = (r: Retirement) => 'subject' in r && r.subject === mark;
    await channel.publish([{ subject: mark }]);
    for (let waited = 0; !heard.some(isMark); waited += 10) {
      if (waited > 10_000) throw new Error('the retirement channel did not deliver a mark within 10 s');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    heard.splice(heard.findIndex(isMark), 1);
  };
  return { database, channel, heard, drained, close: async () => { await channel.close(); await database.close(); await fresh.drop(); } };
}
