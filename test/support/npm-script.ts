import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { cp, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.js';
import { processes, tree, type Proc } from './processes.js';

export { survivors, tree, type Proc } from './processes.js';

// `npm start` and `npm run dev` as systemd, a container runtime or `kill $!` sees them: one pid, and
// SIGTERM to it must stop everything below it.

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/**
 * A copy of this checkout's sources in a temporary directory (node_modules linked, not copied): the
 * tests start and compile there, so they never touch the dist/ an `npm start` in the checkout runs
 * from, nor race a compiler writing it, and a developer's .env does not reach them.
 */
export async function checkoutCopy(): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-checkout-'));
  for (const name of ['src', 'scripts', 'openapi.yaml', 'package.json', 'tsconfig.json', 'tsconfig.build.json']) {
    await cp(join(ROOT, name), join(dir, name), { recursive: true, preserveTimestamps: true });
  }
  await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

export interface Started { npm: ChildProcess; url: string; stdout: () => string; stderr: () => string; exited: Promise<[number | null, string | null]> }

/** `npm <args>` in `cwd`, on a free port, with its embedded PostgreSQL under `dataDir`. */
export async function npmRun(args: string[], cwd: string, dataDir: string): Promise<Started> {
  const port = await freePort(); // a known port rather than PORT=0: the log line naming it is batched, up to 1 s late
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'info' };
  for (const key of ['DATABASE_URL', 'AUTH_ADAPTER', 'WORKERS']) delete env[key];
  const npm = spawn('npm', args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  npm.stdout!.on('data', (d) => { stdout += d; });
  npm.stderr!.on('data', (d) => { stderr += d; });
  const exited = once(npm, 'exit') as Promise<[number | null, string | null]>;
  return { npm, url: `http://127.0.0.1:${port}`, stdout: () => stdout, stderr: () => stderr, exited };
}

export async function untilReady(started: Started, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  let gone = false;
  void started.exited.then(() => { gone = true; });
  while (!(await fetch(`${started.url}/readyz`).then((r) => r.status === 200, () => false))) {
    if (gone) throw new Error(`npm exited before it was ready:\n${started.stderr()}\n${started.stdout().slice(-2000)}`);
    if (Date.now() > deadline) throw new Error(`not ready within ${ms} ms:\n${started.stderr()}`);
    await sleep(50);
  }
}

/** SIGTERM to npm's own pid, as `systemctl stop` or `docker stop` would send; how long until npm exited, and with what. */
export async function stop(started: Started): Promise<{ code: number | null; signal: string | null; ms: number }> {
  const t0 = Date.now();
  started.npm.kill('SIGTERM');
  const [code, signal] = await Promise.race([started.exited, sleep(15_000).then(() => [null, 'still running after 15 s'] as const)]);
  return { code, signal, ms: Date.now() - t0 };
}

/**
 * After a failed test only (the tests stop their own): npm and its node die, and the watchdog stops
 * postgres. `seen` are processes a test saw under npm, which may have outlived it: a server among
 * them gets SIGTERM, so it stops its own PostgreSQL.
 */
export function killLeftovers(all: Started[], seen: Proc[] = []): void {
  for (const started of all.filter((s) => s.npm.exitCode === null && s.npm.signalCode === null)) {
    for (const p of tree(started.npm.pid!).filter((p) => p.cmdline.startsWith('node') || p.cmdline.startsWith('npm'))) process.kill(p.pid, 'SIGKILL');
  }
  const alive = processes();
  for (const p of seen.filter((p) => /(^|\/)node /.test(p.cmdline))) {
    if (alive.some((q) => q.pid === p.pid && q.started === p.started && q.state !== 'Z')) process.kill(p.pid, 'SIGTERM');
  }
}
