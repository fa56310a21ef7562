import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { cp, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.js';

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

export interface Proc { pid: number; ppid: number; state: string; started: string; cmdline: string }

/** Every process, from /proc: what `ps` would show, without depending on procps. */
export function processes(): Proc[] {
  const all: Proc[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // the command in parentheses may hold spaces
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
      all.push({ pid: Number(entry), state: fields[0]!, ppid: Number(fields[1]), started: fields[19]!, cmdline });
    } catch { /* it exited while we looked */ }
  }
  return all;
}

/** `root` and everything below it. */
export function tree(root: number): Proc[] {
  const all = processes();
  const found = all.filter((p) => p.pid === root);
  for (let i = 0; i < found.length; i++) found.push(...all.filter((p) => p.ppid === found[i]!.pid));
  return found;
}

/** Those of `procs` still alive (a zombie has exited; a reused pid is another process), after waiting up to `ms` for them to go. */
export async function survivors(procs: Proc[], ms: number, alsoMatching: string): Promise<string[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const alive = processes().filter((p) => p.state !== 'Z'
      && (procs.some((q) => q.pid === p.pid && q.started === p.started) || p.cmdline.includes(alsoMatching)));
    if (alive.length === 0 || Date.now() > deadline) return alive.map((p) => `${p.pid} ${p.cmdline}`);
    await sleep(100);
  }
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
