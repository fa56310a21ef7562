// `npm run bench:password [-- --sign-ins 20 --attackers 32]`: password-guessing floods, measured.
// A real Gatehouse (embedded PostgreSQL and auth server, rate limits off so only the password-check
// shares are at work, PASSWORD_HASH_COST unset = 17) runs in a child process; this process is the
// bystander and the one-account attacker; the address floods run in processes of their own. Bystander sign-in p50 from 127.0.0.2–4
// idle, then while: `attackers` connections loop wrong-old-password PUT /users/password/ with one
// token (one account); `attackers` connections from 127.0.0.10 loop wrong sign-ins for random emails
// (one address); the same from each of 127.0.0.10–14 (five addresses). Passes when every bystander
// sign-in is answered 200 throughout and its p50 is within 2× idle under the one-account and
// one-address floods. Loopback only; stops by itself: about 60 s, never more than 150.
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes, scryptSync } from 'node:crypto';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fromAddress, median, startFloodProcess, timedSignIns } from '../../test/support/loopback-client.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => { const i = args.indexOf(name); return i >= 0 ? Number(args[i + 1]) : fallback; };
const SIGN_INS = option('--sign-ins', 20);
const ATTACKERS = option('--attackers', 32);
const PHASE_CAP_MS = 10_000; // per phase: 20 sign-ins at ≈ 0.5 s fit; on a slower machine fewer are timed
const WATCHDOG_MS = 150_000;
const PASSWORD = 'correct horse battery';

if (args[0] === '--serve') await serve(args[1]!);
else await main();

/** The child: Gatehouse wired by the same composition root as `npm start`, on a free loopback port. */
async function serve(dataDir: string): Promise<void> {
  const { pino } = await import('pino');
  const { loadConfig } = await import('../../src/config.js');
  const { startGatehouse } = await import('../../src/main.js');
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, RATE_LIMIT_ENABLED: 'false' });
  // Every line written as in production (info, batched), into /dev/null: the log's cost counts, its noise does not.
  const running = await startGatehouse(config, pino({ level: config.logLevel }, pino.destination({ dest: '/dev/null', minLength: 4096, sync: false })));
  process.send!({ url: running.url, cost: config.auth.adapter === 'embedded' ? config.auth.passwordHashCost : undefined });
  const stop = () => { running.close().then(() => process.exit(0), () => process.exit(1)); };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop); // Ctrl-C reaches the whole process group: close the database, not orphan it
}

async function main(): Promise<void> {
  const started = performance.now();
  const dataDir = await mkdtemp(join(tmpdir(), 'gatehouse-password-bench-'));
  let child: ChildProcess | undefined;
  const watchdog = setTimeout(() => {
    console.error('password bench: over its time budget, stopping');
    const quit = () => { rmSync(dataDir, { recursive: true, force: true }); process.exit(2); };
    child?.once('exit', quit).kill('SIGTERM'); // SIGTERM: the server stops its PostgreSQL too
    setTimeout(() => { child?.kill('SIGKILL'); quit(); }, 10_000).unref();
  }, WATCHDOG_MS);
  try {
    const hashMs = scryptMs(17);
    child = fork(fileURLToPath(import.meta.url), ['--serve', dataDir], { stdio: 'inherit' });
    const [ready] = await Promise.race([
      once(child, 'message') as Promise<[{ url: string; cost: number }]>,
      once(child, 'exit').then(() => { throw new Error('the server exited before it was ready'); }),
    ]);
    const url = ready.url;
    if (new URL(url).hostname !== '127.0.0.1') throw new Error(`refusing to attack ${url}: loopback only`);
    const victim = { email: `victim-${randomBytes(4).toString('hex')}@example.com`, password: PASSWORD };
    const bystander = { email: `bystander-${randomBytes(4).toString('hex')}@example.com`, password: PASSWORD };
    for (const who of [victim, bystander]) await post(`${url}/users/signup/`, { ...who, password2: who.password }, 201);
    const { access_token: token } = await post(`${url}/users/token/`, { ...victim, scope: 'read write' }, 200) as { access_token: string };

    const bystanders = ['127.0.0.2', '127.0.0.3', '127.0.0.4'].map(fromAddress);
    const signIns = () => timedSignIns(url, bystanders, bystander, SIGN_INS, PHASE_CAP_MS);
    await timedSignIns(url, bystanders, bystander, 3, PHASE_CAP_MS); // warm-up: connections, JIT
    const idle = await signIns();
    const phases: { name: string; result: Awaited<ReturnType<typeof signIns>>; attackers: string; target: boolean }[] = [];
    const measure = async (name: string, target: boolean, start: () => Promise<{ stop(): Promise<Flooded> }>) => {
      const flood = await start();
      await sleep(1000); // let the attackers take every place they can
      const result = await signIns();
      phases.push({ name, result, attackers: describeFlood(await flood.stop()), target });
    };
    await measure('one account (token, 127.0.0.1)', true, async () => startAttack(`${url}/users/password/`, token, ATTACKERS));
    await measure('one address (127.0.0.10)', true, () => startFloodProcess(url, ['127.0.0.10'], ATTACKERS));
    await measure('five addresses (127.0.0.10–14)', false, () => startFloodProcess(url, ['10', '11', '12', '13', '14'].map((n) => `127.0.0.${n}`), ATTACKERS));
    for (const b of bystanders) b.close();

    const idleP50 = median(idle.ms);
    let pass = !idle.failed.length;
    console.log(`scrypt N=2^17, r=8, p=1 on this machine: ${hashMs.toFixed(0)} ms a hash (server cost ${ready.cost}); load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    console.log(`| bystander sign-ins | p50 | × idle | answered 200 | attackers (${ATTACKERS} connections each) |`);
    console.log('| --- | --- | --- | --- | --- |');
    console.log(`| idle | ${idleP50.toFixed(0)} ms | 1.00 | ${percent(idle)} | — |`);
    for (const { name, result, attackers, target } of phases) {
      const ratio = median(result.ms) / idleP50;
      pass &&= !result.failed.length && (!target || ratio <= 2);
      console.log(`| under ${name} | ${median(result.ms).toFixed(0)} ms | ${ratio.toFixed(2)}${target ? '' : ' (no target)'} | ${percent(result)} | ${attackers} |`);
    }
    console.log(`${pass ? 'PASS' : 'FAIL'}: every bystander sign-in 200, p50 ≤ 2× idle under one account and one address (${((performance.now() - started) / 1000).toFixed(0)} s in all)`);
    process.exitCode = pass ? 0 : 1;
  } finally {
    clearTimeout(watchdog);
    if (child && child.exitCode === null) { child.kill('SIGTERM'); await once(child, 'exit'); }
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** `n` loops of wrong-old-password changes; `stop()` ends them and answers the statuses they got. */
function startAttack(url: string, token: string, n: number) {
  let running = true;
  const statuses: Record<string, number> = {};
  const body = JSON.stringify({ old_password: 'wrong guess 0001', password: 'a brand new passphrase', password2: 'a brand new passphrase' });
  const started = performance.now();
  const loop = async () => {
    while (running) {
      const res = await fetch(url, { method: 'PUT', body, headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` } })
        .catch(() => undefined);
      await res?.arrayBuffer();
      const key = res ? String(res.status) : 'network error';
      statuses[key] = (statuses[key] ?? 0) + 1;
    }
  };
  const loops = Array.from({ length: n }, loop);
  return Promise.resolve({
    async stop() {
      running = false;
      const seconds = (performance.now() - started) / 1000;
      await Promise.all(loops);
      return { statuses, seconds, total: Object.values(statuses).reduce((a, b) => a + b, 0) };
    },
  });
}

async function post(url: string, json: unknown, expected: number): Promise<unknown> {
  const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(json) });
  const body = await res.json();
  if (res.status !== expected) throw new Error(`${url} answered ${res.status}: ${JSON.stringify(body)}`);
  return body;
}

/** Median of three synchronous hashes, the work one sign-in costs the server. */
function scryptMs(cost: number): number {
  const runs = Array.from({ length: 3 }, () => {
    const start = performance.now();
    scryptSync('correct horse battery', 'salt', 32, { N: 2 ** cost, r: 8, p: 1, maxmem: 256 * 1024 * 1024 });
    return performance.now() - start;
  });
  return median(runs);
}

type Flooded = { statuses: Record<string, number>; seconds: number; total: number };

function describeFlood({ statuses, seconds, total }: Flooded): string {
  return `${Object.entries(statuses).map(([s, n]) => `${s}: ${n}`).join(', ')} (${(total / seconds).toFixed(0)}/s)`;
}

function percent({ ms, failed }: { ms: number[]; failed: string[] }): string {
  return `${((100 * ms.length) / (ms.length + failed.length)).toFixed(0)} %${failed.length ? ` (${[...new Set(failed)].join(', ')})` : ''}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}
