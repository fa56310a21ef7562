import { loadavg } from 'node:os';
import { expect } from 'chai';
import { pino } from 'pino';
import { loadConfig } from '../../src/config.js';
import { startGatehouse, type RunningGatehouse } from '../../src/main.js';
import { ApiClient } from '../support/api-client.js';
import { requireService } from '../support/availability.js';
import { dotPeerAvailable, startDotPeer, type DotPeer } from '../support/dot-peer.js';
import { freshPostgresDatabase, postgresAvailable } from '../support/postgres.js';
import { startSwitchableProxy, type SwitchableProxy } from '../support/switchable-proxy.js';

const TIMEOUT_MS = 1500;
const FAILURES = 3;
/** Long and fixed for the tests that count calls while open; the recovery test uses the defaults. */
const FIXED_COOLDOWN = { AUTH_BREAKER_FIRST_COOLDOWN_MS: '3000', AUTH_BREAKER_COOLDOWN_MS: '3000' };
const COOLDOWN_MS = 3000;
const DEFAULT_LONGEST_COOLDOWN_MS = 1000;
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** The real DOT peer behind a proxy that counts every connection Gatehouse makes to it, up or down. */
describe('circuit breaker in front of a failing Django OAuth Toolkit', function () {
  this.timeout(120_000);
  let dot: DotPeer;
  let proxy: SwitchableProxy;
  let dropDatabase: () => Promise<void>;
  let databaseUrl: string;
  const running: RunningGatehouse[] = [];

  before(async function () {
    requireService(this, await postgresAvailable(), 'PostgreSQL on 127.0.0.1:5432');
    requireService(this, dotPeerAvailable(), 'the Django OAuth Toolkit peer');
    dot = await startDotPeer({ accessLog: true });
    proxy = await startSwitchableProxy(dot.port);
    ({ url: databaseUrl, drop: dropDatabase } = await freshPostgresDatabase());
  });
  after(async () => {
    for (const g of running) await g.close();
    await proxy?.close();
    await dot?.stop();
    await dropDatabase?.();
  });

  const start = async (env: Record<string, string> = {}) => {
    const gatehouse = await startGatehouse(loadConfig({
      PORT: '0', HOST: '127.0.0.1', DATABASE_URL: databaseUrl, RATE_LIMIT_ENABLED: 'false',
      AUTH_ADAPTER: 'dot', AUTH_SERVER_URL: `http://127.0.0.1:${proxy.port}`,
      AUTH_CLIENT_ID: dot.clientId, AUTH_CLIENT_SECRET: dot.clientSecret, AUTH_TIMEOUT_MS: String(TIMEOUT_MS),
      AUTH_BREAKER_FAILURES: String(FAILURES), ...env,
    }), pino({ level: 'silent' }));
    running.push(gatehouse);
    // The start's own look at the authorization server (a warning when it does not answer) runs
    // beside the start: let it finish, so that the connections counted below are the requests'.
    const api = new ApiClient(gatehouse.url);
    for (let i = 0; (await api.get('/readyz')).status !== 200; i++) {
      if (i > 50) throw new Error('Gatehouse never became ready');
      await sleep(100);
    }
    return api;
  };
  /** Requests with tokens Gatehouse has never seen: each needs an introspection. Returns the ms each took. */
  const newTokenRequests = async (api: ApiClient, n: number) => {
    const took: number[] = [];
    for (let i = 0; i < n; i++) {
      const started = Date.now();
      const res = await api.get('/items/', { token: `never-seen-${i}-${Math.random()}` });
      took.push(Date.now() - started);
      expect(res.status).to.equal(503);
      expect(res.headers.get('retry-after')).to.match(/^\d+$/);
    }
    return took;
  };

  it('answers 503 within AUTH_TIMEOUT_MS from a hanging server, then fails fast without connecting once open', async () => {
    const api = await start(FIXED_COOLDOWN);
    proxy.mode = 'hang';
    const before = proxy.connections();
    try {
      const took = await newTokenRequests(api, 10);
      const slow = took.slice(0, FAILURES);
      const fast = took.slice(FAILURES);
      console.log(`      hanging server: ${slow.join(', ')} ms until open, then ${Math.max(...fast)} ms at most`);
      for (const ms of slow) expect(ms).to.be.within(TIMEOUT_MS - 50, TIMEOUT_MS + 1000);
      for (const ms of fast) expect(ms).to.be.lessThan(100);
      expect(proxy.connections() - before).to.equal(FAILURES);
    } finally {
      proxy.mode = 'pass';
    }
  });

  it('stops calling a stopped DOT, keeps warm tokens working, and resumes after the cooldown', async () => {
    const api = await start(FIXED_COOLDOWN);
    const user = await api.newUser('breaker');
    expect((await api.get('/items/', { token: user.token })).status).to.equal(200); // warm in the cache
    await dot.stop();
    const before = proxy.connections();
    let restarted = false;
    try {
      const took = await newTokenRequests(api, 20);
      const openedAt = Date.now();
      console.log(`      stopped DOT: 20 requests → ${proxy.connections() - before} connection attempts; slowest 503 ${Math.max(...took)} ms`);
      expect(proxy.connections() - before).to.equal(FAILURES);
      expect((await api.get('/items/', { token: user.token })).status).to.equal(200);
      expect((await api.post('/users/token/', { json: { email: user.email, password: user.password } })).status).to.equal(503);
      expect(proxy.connections() - before).to.equal(FAILURES);
      await dot.restart();
      restarted = true;
      await sleep(Math.max(0, openedAt + COOLDOWN_MS + 100 - Date.now()));
    } finally {
      if (!restarted) await dot.restart();
    }
    const again = await api.post('/users/token/', { json: { email: user.email, password: user.password } });
    expect(again.status).to.equal(200);
    expect((await api.get('/items/', { token: again.body.access_token })).status).to.equal(200);
  });

  it('uses a stopped DOT again within a second of its return, having sent it one probe at a time meanwhile', async () => {
    const api = await start(); // the default cooldowns: 250 ms, doubling on each failed probe up to 1000 ms
    const user = await api.newUser('recovery');
    const signIn = () => api.post('/users/token/', { json: { email: user.email, password: user.password } });
    await dot.stop();
    const stoppedAt = Date.now();
    const before = proxy.connections();
    // Back 1–3 s after a probe a fixed 5 s cooldown would send: such a breaker notices it only 5 s after that probe.
    let backAt: number | undefined;
    const restarting = sleep(5500).then(() => dot.restart()).then(() => { backAt = Date.now(); });
    let refused = 0;
    let recoveredAt: number | undefined;
    try {
      while (Date.now() - stoppedAt < 60_000) {
        const res = await signIn();
        if (res.status === 200) { recoveredAt = Date.now(); break; }
        expect(res.status).to.equal(503);
        refused++;
        // Once open, the breaker's refusals say "come back in 1 s" (its longest cooldown), not the generic 5.
        expect(res.headers.get('retry-after')).to.equal(refused < FAILURES ? '5' : '1');
        await sleep(20);
      }
    } finally {
      await restarting;
    }
    const downMs = backAt! - stoppedAt;
    const recoveryMs = Math.max(0, recoveredAt! - backAt!);
    const attempts = proxy.connections() - before;
    console.log(`      stopped DOT for ${downMs} ms: ${refused} sign-ins answered 503, ${attempts} connection attempts; `
      + `signed in again ${recoveryMs} ms after DOT answered (load ${loadavg()[0]!.toFixed(2)})`);
    expect(recoveredAt, 'never signed in again').to.be.a('number');
    expect(recoveryMs).to.be.below(DEFAULT_LONGEST_COOLDOWN_MS + 500); // the longest cooldown, and the probe's own round trip
    // FAILURES calls, then probes 250, 500, 1000, 1000… ms apart (+1 for the probe that found it back).
    expect(attempts).to.be.at.most(FAILURES + 3 + Math.ceil(downMs / DEFAULT_LONGEST_COOLDOWN_MS) + 1);
    expect(attempts).to.be.below(refused / 4);
  });

  it('without the breaker (AUTH_BREAKER_FAILURES=0) every request reaches the dead server', async () => {
    const api = await start({ AUTH_BREAKER_FAILURES: '0' });
    await dot.stop();
    const before = proxy.connections();
    try {
      await newTokenRequests(api, 20);
      console.log(`      stopped DOT, no breaker: 20 requests → ${proxy.connections() - before} connection attempts`);
      expect(proxy.connections() - before).to.equal(20);
    } finally {
      await dot.restart();
    }
  });
});
