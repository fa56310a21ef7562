import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { loadConfig } from '../../src/config.js';
import { startGatehouse } from '../../src/main.js';
import { startDotPeer, type DotPeer } from './dot-peer.js';
import { freshPostgresDatabase } from './postgres.js';

export interface GatehouseUnderTest {
  url: string;
  /** With METRICS_PORT set: where GET /metrics is served. */
  metricsUrl?: string;
  /** Every log line the server wrote, for tests that look for leaked secrets. */
  logs: string[];
  dot?: DotPeer;
  /** With database `postgres`: its URL, for a second instance to join. */
  databaseUrl?: string;
  close(): Promise<void>;
}

export interface Mode {
  database: 'embedded' | 'postgres';
  auth: 'embedded' | 'dot';
  env?: Record<string, string>;
  /** Settings of the DOT peer, e.g. a short ACCESS_TOKEN_EXPIRE_SECONDS. */
  dotEnv?: Record<string, string>;
  /**
   * Another instance of the same deployment: this one uses its database and its DOT peer (database
   * `postgres`), and leaves both to it when it closes. `databaseUrl` overrides the joined URL, e.g.
   * to reach the same database through a proxy.
   */
  join?: { instance: GatehouseUnderTest; databaseUrl?: string };
}

/** A real, listening Gatehouse on a free port, wired by the same composition root as `npm start`. */
export async function startTestGatehouse(mode: Mode): Promise<GatehouseUnderTest> {
  const cleanups: (() => Promise<void>)[] = [];
  // debug, the most a production operator would turn on, so leak checks see every line that could leak
  // Rate limits off unless a test turns them on: suites sign many users up from one address.
  // Passwords hashed at N=2^12, not 2^17: every suite signs users up, and 0.5 s a hash adds up.
  const env: Record<string, string> = {
    PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'debug', RATE_LIMIT_ENABLED: 'false', PASSWORD_HASH_COST: '12', ...mode.env,
  };
  try {
    if (mode.join) {
      if (!mode.join.instance.databaseUrl) throw new Error('join needs an instance on database "postgres"');
      env.DATABASE_URL = mode.join.databaseUrl ?? mode.join.instance.databaseUrl;
    } else if (mode.database === 'postgres') {
      const db = await freshPostgresDatabase();
      cleanups.push(db.drop);
      env.DATABASE_URL = db.url;
    } else {
      const dataDir = await mkdtemp(join(tmpdir(), 'gatehouse-data-'));
      cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
      env.DATA_DIR = dataDir;
    }
    let dot: DotPeer | undefined = mode.join?.instance.dot;
    if (mode.auth === 'dot' && !dot) {
      dot = await startDotPeer({ accessLog: true, ...(mode.dotEnv ? { env: mode.dotEnv } : {}) });
      cleanups.push(() => dot!.stop());
    }
    if (mode.auth === 'dot' && dot) {
      Object.assign(env, { AUTH_ADAPTER: 'dot', AUTH_SERVER_URL: dot.url, AUTH_CLIENT_ID: dot.clientId, AUTH_CLIENT_SECRET: dot.clientSecret });
    }
    const logs: string[] = [];
    const logger = pino({ level: env.LOG_LEVEL ?? 'info' }, { write: (line: string) => { logs.push(line); } });
    const running = await startGatehouse(loadConfig(env), logger);
    cleanups.push(() => running.close());
    const databaseUrl = mode.join?.instance.databaseUrl ?? env.DATABASE_URL;
    return { url: running.url, ...(running.metricsUrl ? { metricsUrl: running.metricsUrl } : {}), logs, ...(dot ? { dot } : {}), ...(databaseUrl ? { databaseUrl } : {}), close: () => runAll(cleanups) };
  } catch (err) {
    await runAll(cleanups);
    throw err;
  }
}

async function runAll(cleanups: (() => Promise<void>)[]): Promise<void> {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
}
