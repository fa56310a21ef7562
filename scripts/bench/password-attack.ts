// `npm run bench:password [-- --sign-ins 20 --attackers 32]`: issue 10's password-guessing attack, measured.
// A real Gatehouse (embedded PostgreSQL and auth server, rate limits off, PASSWORD_HASH_COST unset = 17) runs
// in a child process; this process is the clients. Bystander sign-in p50 idle, then while `attackers`
// connections loop wrong-old-password PUT /users/password/ with the victim's token. Passes when the
// p50 under attack is within 2× idle. Loopback only; stops by itself: about 35 s (the fresh embedded
// PostgreSQL's start is most of the rest), never more than 90.
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes, scryptSync } from 'node:crypto';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => { const i = args.indexOf(name); return i >= 0 ? Number(args[i + 1]) : fallback; };
const SIGN_INS = option('--sign-ins', 20);
const ATTACKERS = option('--attackers', 32);
const PHASE_CAP_MS = 10_000; // per phase: 20 sign-ins at ≈ 0.5 s fit; on a slower machine fewer are timed
const WATCHDOG_MS = 90_000;
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

    await signIns(url, bystander, 1, PHASE_CAP_MS); // warm-up: connection, JIT
    const idle = await signIns(url, bystander, SIGN_INS, PHASE_CAP_MS);
    const attack = startAttack(`${url}/users/password/`, token, ATTACKERS);
    await sleep(1000); // let the attackers fill every queue first
    const underAttack = await signIns(url, bystander, SIGN_INS, PHASE_CAP_MS);
    const attackers = await attack.stop();

    const [idleP50, attackP50] = [median(idle.ms), median(underAttack.ms)];
    const ratio = attackP50 / idleP50;
    console.log(`scrypt N=2^17, r=8, p=1 on this machine: ${hashMs.toFixed(0)} ms a hash (server cost ${ready.cost})`);
    console.log(`bystander sign-in p50 idle:         ${idleP50.toFixed(0)} ms over ${idle.ms.length} (${idle.failed.join(', ') || 'all 200'})`);
    console.log(`bystander sign-in p50 under attack: ${attackP50.toFixed(0)} ms over ${underAttack.ms.length} (${underAttack.failed.join(', ') || 'all 200'})`);
    console.log(`ratio: ${ratio.toFixed(2)}× (target ≤ 2×) ${ratio <= 2 && !underAttack.failed.length ? 'PASS' : 'FAIL'}`);
    console.log(`attackers (${ATTACKERS} connections, ${attackers.seconds.toFixed(1)} s): ${Object.entries(attackers.statuses).map(([s, n]) => `${s}: ${n}`).join(', ')}`
      + ` (${(attackers.total / attackers.seconds).toFixed(0)} requests/s)`);
    console.log(`(${((performance.now() - started) / 1000).toFixed(0)} s in all)`);
    process.exitCode = ratio <= 2 && !underAttack.failed.length ? 0 : 1;
  } finally {
    clearTimeout(watchdog);
    if (child && child.exitCode === null) { child.kill('SIGTERM'); await once(child, 'exit'); }
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** Sequential sign-ins, up to `count` or until `capMs` has passed; a non-200 is reported, not timed. */
async function signIns(url: string, who: { email: string; password: string }, count: number, capMs: number) {
  const ms: number[] = [];
  const failed: string[] = [];
  const deadline = Date.now() + capMs;
  for (let i = 0; i < count && Date.now() < deadline; i++) {
    const start = performance.now();
    const res = await fetch(`${url}/users/token/`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(who) });
    await res.arrayBuffer();
    if (res.status === 200) ms.push(performance.now() - start); else failed.push(String(res.status));
  }
  return { ms, failed };
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
  return {
    async stop() {
      running = false;
      const seconds = (performance.now() - started) / 1000;
      await Promise.all(loops);
      return { statuses, seconds, total: Object.values(statuses).reduce((a, b) => a + b, 0) };
    },
  };
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

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor(sorted.length / 2)]! : NaN;
}

function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}
