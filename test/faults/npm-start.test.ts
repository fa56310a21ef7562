import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, utimesSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { freePort } from '../support/free-port.js';
import { survivors, tree } from '../support/processes.js';

// `npm start` as systemd, a container runtime or `kill $!` sees it: one pid, and SIGTERM to it stops
// everything. Before scripts/start.mjs, SIGTERM killed npm's `sh -c` and left node and the embedded
// PostgreSQL running with nobody to stop them.

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const STAMP = join(ROOT, 'dist', '.build-stamp'); // scripts/start.mjs compiles when sources are newer
const COMPILING = 'gatehouse: compiling TypeScript';
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

interface Started { npm: ChildProcess; url: string; stdout: () => string; stderr: () => string; exited: Promise<[number | null, string | null]> }

/** `npm start` in this checkout, on a free port, with its embedded PostgreSQL under `dataDir`. */
async function npmStart(dataDir: string): Promise<Started> {
  const port = await freePort(); // a known port rather than PORT=0: the log line naming it is batched, up to 1 s late
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'info' };
  for (const key of ['DATABASE_URL', 'AUTH_ADAPTER', 'WORKERS']) delete env[key];
  const npm = spawn('npm', ['start'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  npm.stdout!.on('data', (d) => { stdout += d; });
  npm.stderr!.on('data', (d) => { stderr += d; });
  const exited = once(npm, 'exit') as Promise<[number | null, string | null]>;
  return { npm, url: `http://127.0.0.1:${port}`, stdout: () => stdout, stderr: () => stderr, exited };
}

async function untilReady(started: Started, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  let gone = false;
  void started.exited.then(() => { gone = true; });
  while (!(await fetch(`${started.url}/readyz`).then((r) => r.status === 200, () => false))) {
    if (gone) throw new Error(`npm start exited before it was ready:\n${started.stderr()}\n${started.stdout().slice(-2000)}`);
    if (Date.now() > deadline) throw new Error(`not ready within ${ms} ms:\n${started.stderr()}`);
    await sleep(50);
  }
}

/** SIGTERM to npm's own pid, as `systemctl stop` or `docker stop` would send; how long until npm exited, and with what. */
async function stop(started: Started): Promise<{ code: number | null; signal: string | null; ms: number }> {
  const t0 = Date.now();
  started.npm.kill('SIGTERM');
  const [code, signal] = await Promise.race([started.exited, sleep(15_000).then(() => [null, 'still running after 15 s'] as const)]);
  return { code, signal, ms: Date.now() - t0 };
}

describe('npm start under a service manager', function () {
  this.timeout(120_000);
  let dataDir: string;
  const running: Started[] = [];

  before(async () => { dataDir = await mkdtemp(join(tmpdir(), 'gatehouse-npm-start-')); });
  after(async () => {
    // Only after a failed test (the tests stop their own): npm and its node die, and the watchdog stops postgres.
    for (const started of running.filter((s) => s.npm.exitCode === null && s.npm.signalCode === null)) {
      for (const p of tree(started.npm.pid!).filter((p) => p.cmdline.startsWith('node') || p.cmdline.startsWith('npm'))) process.kill(p.pid, 'SIGKILL');
    }
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  /** Makes the next start compile, as after a fresh clone or an edit. */
  const makeBuildStale = () => { if (existsSync(STAMP)) utimesSync(STAMP, 0, 0); };

  it('stops the compiler too when SIGTERM arrives while it compiles, exiting 0', async () => {
    makeBuildStale();
    const started = await npmStart(dataDir);
    running.push(started);
    for (let i = 0; !started.stderr().includes(COMPILING); i++) {
      if (i > 100) throw new Error(`no "${COMPILING}" line within 10 s: ${started.stderr()}`);
      await sleep(100);
    }
    await sleep(300); // tsc is running by now
    const before = tree(started.npm.pid!);
    expect(before.map((p) => p.cmdline).join('\n')).to.match(/typescript\/bin\/tsc -p tsconfig\.build\.json/);
    const { code, signal } = await stop(started);
    expect({ code, signal }, started.stderr()).to.deep.equal({ code: 0, signal: null });
    expect(await survivors(before, 5_000, dataDir)).to.deep.equal([]);
  });

  it('compiles on a first start and says so, then on SIGTERM stops node and PostgreSQL and exits 0', async () => {
    makeBuildStale();
    const t0 = Date.now();
    const started = await npmStart(dataDir);
    running.push(started);
    await untilReady(started, 90_000);
    console.log(`      first start (compile, initdb, migrations) to /readyz 200: ${Date.now() - t0} ms`);
    expect(started.stderr()).to.include(`${COMPILING} (first start, or sources changed)…`);

    const before = tree(started.npm.pid!);
    const [server] = before.filter((p) => p.ppid === started.npm.pid);
    // npm's child is the server itself (the script execs node), not a shell that would take the signal and die.
    expect(server?.cmdline).to.equal('node scripts/start.mjs');
    expect(before.some((p) => p.cmdline.includes(`-D ${join(dataDir, 'postgres')}`)), 'the embedded postgres').to.equal(true);

    const { code, signal, ms } = await stop(started);
    console.log(`      SIGTERM to npm's exit: ${ms} ms`);
    expect({ code, signal }, started.stderr()).to.deep.equal({ code: 0, signal: null });
    expect(await survivors(before, 5_000, dataDir)).to.deep.equal([]);
  });

  it('restarts an unchanged checkout to /readyz 200 within 3 s, without compiling', async () => {
    // Best of three: on a shared 2-core machine one start can lose a second to whatever else runs.
    // A start that compiled (someone edited src/ meanwhile) is not a restart of an unchanged checkout.
    const times: number[] = [];
    for (let attempt = 1; attempt <= 3 && !times.some((ms) => ms < 3_000); attempt++) {
      const t0 = Date.now();
      const started = await npmStart(dataDir);
      running.push(started);
      await untilReady(started, 90_000);
      const ms = Date.now() - t0;
      const compiled = started.stderr().includes(COMPILING);
      const stopped = await stop(started);
      console.log(`      restart to /readyz 200: ${ms} ms${compiled ? ' (compiled: sources changed meanwhile)' : ''}; SIGTERM to npm's exit: ${stopped.ms} ms`);
      expect({ code: stopped.code, signal: stopped.signal }, started.stderr()).to.deep.equal({ code: 0, signal: null });
      if (!compiled) times.push(ms);
    }
    expect(times, 'restarts that did not compile').not.to.deep.equal([]);
    expect(Math.min(...times)).to.be.below(3_000);
  });
});
