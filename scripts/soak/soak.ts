// npm run soak [-- --seconds 60 --connections 64]: mixed traffic against Gatehouse on PostgreSQL in
// DOT mode, the DOT peer restarted once in the middle, then the checks of issue 6. Exits 1 on any failure.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startDotPeer } from '../../test/support/dot-peer.js';
import { freePort } from '../../test/support/free-port.js';
import { freshPostgresDatabase } from '../../test/support/postgres.js';
import { runTraffic, type Stats } from './traffic.js';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '60' }, connections: { type: 'string', default: '64' } } });
const seconds = Number(values.seconds);
const connections = Number(values.connections);
if (!(seconds >= 12) || !(connections >= 2)) throw new Error('--seconds must be at least 12 and --connections at least 2');

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));
const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;
interface Memory { underLoad: number; afterCollection: number }
/** RSS as it stands, then after a full collection (see collect-garbage-on-signal.mjs). */
const memoryOf = async (pid: number): Promise<Memory> => {
  const underLoad = rssMb(pid);
  process.kill(pid, 'SIGUSR2');
  await sleep(1000); // the collection, and the sweeper handing pages back
  return { underLoad, afterCollection: rssMb(pid) };
};

const dot = await startDotPeer({ accessLog: false });
const db = await freshPostgresDatabase();
const port = await freePort();
const child = spawn(process.execPath, ['--expose-gc', '--import', './scripts/soak/collect-garbage-on-signal.mjs', '--import', 'tsx', 'src/main.ts'], {
  env: { ...process.env, PORT: String(port), DATABASE_URL: db.url, AUTH_ADAPTER: 'dot', AUTH_SERVER_URL: dot.url, AUTH_CLIENT_ID: dot.clientId,
    AUTH_CLIENT_SECRET: dot.clientSecret, RATE_LIMIT_ENABLED: 'false', LOG_LEVEL: 'warn', AUTH_TIMEOUT_MS: '5000' },
  stdio: ['ignore', 'ignore', 'inherit'],
});
const base = `http://127.0.0.1:${port}`;
let exitCode = 1;
try {
  for (let i = 0; !(await fetch(`${base}/healthz`).then((r) => r.ok, () => false)); i++) {
    if (i > 300) throw new Error('Gatehouse did not start');
    await sleep(100);
  }
  let started = 0;
  const window = { from: Infinity, to: Infinity };
  let outageSeconds = NaN;
  let backAt = NaN;
  const rss: { early?: Memory; end?: Memory } = {};
  let chaos: Promise<void> | undefined;
  let sampler: Promise<void> | undefined;
  const stats = await runTraffic(base, connections, () => {
    started = Date.now();
    chaos = (async () => {
      await sleep((seconds * 1000) / 2 - 2000);
      window.from = Date.now();
      await dot.restart(); // stop, then start on the same port with the same state
      backAt = Date.now();
      outageSeconds = (backAt - window.from) / 1000;
      window.to = Date.now() + 3000; // generous: the breaker's own promise (back within a second) is checked on the count of 503s
      console.log(`DOT peer down and back in ${outageSeconds.toFixed(1)} s`);
    })();
    sampler = (async () => { await sleep(10_000); rss.early = await memoryOf(child.pid!); })();
    return { until: started + seconds * 1000, window };
  });
  await Promise.all([chaos, sampler]);
  rss.end = await memoryOf(child.pid!);
  exitCode = report(stats, rss, (Date.now() - started) / 1000, { seconds: outageSeconds, backAt }) ? 0 : 1;
} finally {
  child.kill('SIGTERM');
  await new Promise((done) => child.once('exit', done));
  await dot.stop();
  await db.drop();
}
process.exit(exitCode);

function report(stats: Stats, rss: { early?: Memory; end?: Memory }, elapsed: number, { seconds: outage, backAt }: { seconds: number; backAt: number }): boolean {
  console.log(`\nsoak: ${elapsed.toFixed(0)} s, ${connections} connections, DOT restarted once\n`);
  console.log('operation        requests  statuses');
  for (const [op, byStatus] of Object.entries(stats.byOperation).sort()) {
    const total = Object.values(byStatus).reduce((a, b) => a + b, 0);
    console.log(`${op.padEnd(16)} ${String(total).padStart(8)}  ${Object.entries(byStatus).map(([s, n]) => `${s}×${n}`).join(' ')}`);
  }
  const total = Object.values(stats.byOperation).flatMap((b) => Object.values(b)).reduce((a, b) => a + b, 0);
  const rate = total / elapsed;
  // While the breaker is open only the requests that need the authorization server get 503; once it is back, within a
  // second (one probe at a time, the longest cooldown 1 s), none do. So the 503s are at most (outage + 1 s) of traffic.
  const unavailableBound = (outage + 1) * rate;
  const growth = rss.early && rss.end ? (rss.end.afterCollection / rss.early.afterCollection - 1) * 100 : NaN;
  const checks: [string, boolean, string][] = [
    ['no 5xx outside the injected window', stats.serverErrorsOutside.length === 0, `${stats.serverErrorsOutside.length} (503 inside: ${stats.unavailableInside})`],
    ['503s at most (outage + 1 s) × request rate', stats.unavailableInside <= unavailableBound,
      `${stats.unavailableInside} = ${(stats.unavailableInside / rate).toFixed(1)} s of traffic; outage ${outage.toFixed(1)} s at ${rate.toFixed(0)}/s `
      + `→ at most ${unavailableBound.toFixed(0)} (${Object.entries(stats.unavailableTypes).map(([t, n]) => `${t}×${n}`).join(' ')})`],
    ['no 503 for a request sent over 1 s after the DOT peer was back', stats.lastUnavailableSentAt - backAt <= 1000,
      stats.lastUnavailableSentAt ? `the last sent ${stats.lastUnavailableSentAt - backAt} ms after it answered again` : "none at all"],
    ['no failed connection', stats.transportErrors.length === 0, String(stats.transportErrors.length)],
    ['every 201 item present with its last acknowledged content', stats.lost.length === 0,
      `${stats.verified} items checked, ${stats.deleted} deleted and gone, ${stats.lost.length} wrong`],
    ['no cross-user write succeeded', stats.crossUserSucceeded === 0, `${stats.crossUserAttempts} attempts, ${stats.crossUserSucceeded} succeeded`],
    ['resident memory at the end within 10 % of 10 s in', growth <= 10, `${rss.early?.afterCollection.toFixed(1)} MB → ${rss.end?.afterCollection.toFixed(1)} MB `
      + `(${growth.toFixed(1)} %) after a full GC; under load ${rss.early?.underLoad.toFixed(1)} → ${rss.end?.underLoad.toFixed(1)} MB`],
  ];
  console.log(`\n${total} requests, ${rate.toFixed(0)}/s; p50 ${stats.p50Ms.toFixed(1)} ms, p99 ${stats.p99Ms.toFixed(1)} ms\n`);
  for (const [name, ok, detail] of checks) console.log(`${ok ? 'PASS' : 'FAIL'}  ${name.padEnd(60)} ${detail}`);
  for (const line of [...stats.serverErrorsOutside, ...stats.transportErrors, ...stats.lost].slice(0, 10)) console.log(`  ${line}`);
  return checks.every(([, ok]) => ok);
}
