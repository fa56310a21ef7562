import { expect } from 'chai';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { openDatabase, type OpenDatabase } from '../../src/adapters/db/open-database.js';
import {
  LISTENER_APPLICATION_NAME, notifyRetirements, PostgresRetirementChannel, type RetirementChannelSettings,
} from '../../src/adapters/db/postgres-retirement-channel.js';
import { DatabaseUnavailable } from '../../src/domain/errors.js';
import { requireService } from '../support/availability.js';
import { startPgListenerProxy } from '../support/pg-listener-proxy.js';
import { freshPostgresDatabase, postgresAvailable } from '../support/postgres.js';
import { rejectionOf } from '../support/rejection.js';
import { Recorder } from '../support/retirement-recorder.js';

const quiet = { info: () => undefined, warn: () => undefined };
const HASH = 'ab'.repeat(32);

describe('PostgresRetirementChannel on the machine PostgreSQL', function () {
  this.timeout(20_000);
  let url: string;
  let database: OpenDatabase;
  let drop: () => Promise<void>;
  const opened: PostgresRetirementChannel[] = [];
  const open = async (settings: Partial<RetirementChannelSettings> = {}) => {
    const channel = new PostgresRetirementChannel({ connectionString: url, db: database.db, log: quiet, ...settings });
    opened.push(channel);
    const recorder = new Recorder();
    channel.subscribe(recorder);
    await channel.start();
    return { channel, recorder };
  };

  before(async function () {
    requireService(this, await postgresAvailable(), 'PostgreSQL on 127.0.0.1:5432');
    const fresh = await freshPostgresDatabase();
    ({ url, drop } = fresh);
    database = await openDatabase({ databaseUrl: url, dataDir: 'unused' });
  });
  afterEach(async () => { for (const c of opened.splice(0)) await c.close(); });
  after(async () => { await database?.close(); await drop?.(); });

  it('tells every listener, the publisher\'s own included, of each token hash and subject published', async () => {
    const a = await open();
    const b = await open();
    await a.channel.publish([{ tokenHash: HASH }, { subject: 'alice@example.com' }]);
    for (const r of [a.recorder, b.recorder]) {
      await r.until((h) => h.length >= 4);
      expect(r.heard).to.deep.equal(['deaf', 'listening', { tokenHash: HASH }, { subject: 'alice@example.com' }]);
    }
  });

  it('sends what a transaction publishes at its commit, and nothing on rollback', async () => {
    const { recorder } = await open();
    await database.db.transaction().execute(async (trx) => {
      await notifyRetirements(trx, [{ subject: 'committed' }]);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(recorder.heard).to.deep.equal(['deaf', 'listening']); // not yet
    });
    await recorder.until((h) => h.length === 3);
    await database.db.transaction().execute(async (trx) => {
      await notifyRetirements(trx, [{ subject: 'rolled back' }]);
      throw new Error('roll back');
    }).catch(() => undefined);
    await database.db.transaction().execute((trx) => notifyRetirements(trx, [{ subject: 'after' }]));
    await recorder.until((h) => h.length === 4);
    expect(recorder.heard).to.deep.equal(['deaf', 'listening', { subject: 'committed' }, { subject: 'after' }]);
  });

  it('is deaf when its connection is terminated, listens again by itself, and hears what comes after', async () => {
    const { channel, recorder } = await open({ backoff: { firstMs: 50, maxMs: 1_000 } });
    const killed = await sql<{ killed: boolean }>`select pg_terminate_backend(pid) as killed from pg_stat_activity
      where application_name = ${LISTENER_APPLICATION_NAME} and datname = current_database()`.execute(database.db);
    expect(killed.rows.map((r) => r.killed)).to.deep.equal([true]);
    await recorder.until((h) => h.join() === 'deaf,listening,deaf,listening');
    expect(channel.listening).to.equal(true);
    await channel.publish([{ tokenHash: HASH }]);
    await recorder.until((h) => h.length === 5);
  });

  it('stays deaf while PostgreSQL cannot be reached, retrying with growing delays, and listens once it can', async () => {
    const proxy = await startPgListenerProxy(LISTENER_APPLICATION_NAME);
    try {
      const through = new URL(url);
      through.port = String(proxy.port);
      const { channel, recorder } = await open({ connectionString: through.toString(), backoff: { firstMs: 50, maxMs: 400 } });
      proxy.cut();
      await recorder.until((h) => h.lastIndexOf('deaf') > 0);
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      // 50, 100, 200, 400, 400… ms apart (±25 %): about 6 attempts in 1.5 s, not hundreds, not one.
      expect(proxy.attempts() - 1).to.be.within(3, 9);
      expect(channel.listening).to.equal(false);
      await channel.publish([{ subject: 'missed' }]); // through the pool, which still works: unheard
      proxy.restore();
      await recorder.until((h) => h.at(-1) === 'listening', 2_000);
      expect(recorder.heard).to.deep.equal(['deaf', 'listening', 'deaf', 'listening']);
    } finally {
      await proxy.close();
    }
  });

  it('finds a connection that went silent with its heartbeat, within its period and timeout', async () => {
    const proxy = await startPgListenerProxy(LISTENER_APPLICATION_NAME);
    try {
      const through = new URL(url);
      through.port = String(proxy.port);
      const { recorder } = await open({
        connectionString: through.toString(), backoff: { firstMs: 50, maxMs: 400 }, heartbeat: { everyMs: 300, timeoutMs: 300 },
      });
      proxy.freeze();
      const frozenAt = Date.now();
      await recorder.until((h) => h.lastIndexOf('deaf') > 0, 2_000);
      expect(Date.now() - frozenAt).to.be.below(300 + 300 + 200);
      await recorder.until((h) => h.at(-1) === 'listening', 2_000); // a new connection passes
    } finally {
      await proxy.close();
    }
  });

  it('reports DatabaseUnavailable when the database cannot be reached to publish', async () => {
    const nowhere = new Kysely<any>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url.replace(/:\d+\//, ':1/') }) }) });
    try {
      const channel = new PostgresRetirementChannel({ connectionString: url, db: nowhere, log: quiet });
      expect(await rejectionOf(channel.publish([{ subject: 'alice' }]))).to.be.instanceOf(DatabaseUnavailable);
    } finally {
      await nowhere.destroy();
    }
  });
});
