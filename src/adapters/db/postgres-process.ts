import { execFile, spawn } from 'node:child_process';
import { readFile, readlink, realpath, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** PostgreSQL refuses to run as root: as root we run it as the `postgres` system user, created if missing. */
export async function postgresUser(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const ids = async () => ({
    uid: Number((await run('id', ['-u', 'postgres'])).stdout.trim()),
    gid: Number((await run('id', ['-g', 'postgres'])).stdout.trim()),
  });
  try {
    return await ids();
  } catch {
    await run('groupadd', ['--system', 'postgres']).catch(() => undefined);
    await run('useradd', ['--system', '-g', 'postgres', '--no-create-home', 'postgres']);
    return ids();
  }
}

/** A port that was free a moment ago; the caller retries if someone takes it in between. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (typeof address !== 'object' || address === null) throw new Error('could not find a free port');
  return address.port;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}

/** postmaster.pid: line 1 the pid, line 2 the data directory, line 8 the status ("ready" once up). */
export async function readPidFile(dir: string): Promise<{ pid: number; status: string } | undefined> {
  const text = await readFile(`${dir}/postmaster.pid`, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const lines = text.split('\n');
  const pid = Number(lines[0]);
  return Number.isInteger(pid) && pid > 0 ? { pid, status: (lines[7] ?? '').trim() } : undefined;
}

/** The embedded PostgreSQL of this data folder already serves another live process: a second start in the same checkout. */
export class ClusterInUse extends Error {
  override name = 'ClusterInUse';
  constructor(readonly dir: string, readonly ownerPid: number, readonly ownerCommand: string) {
    super(`the embedded PostgreSQL in ${dir} is in use by process ${ownerPid} (${ownerCommand.slice(0, 120)})`);
  }
}

/**
 * A postmaster.pid left by a crash: an orphaned postgres still serving this directory is stopped,
 * a dead (or reused) pid's lock file is removed. A postgres whose parent is a live node process
 * belongs to another running Gatehouse: that is an error, not an orphan.
 */
export async function recoverStaleServer(dir: string, log: (msg: string) => void): Promise<void> {
  const lock = await readPidFile(dir);
  if (!lock) return;
  const { pid } = lock;
  if (isAlive(pid) && (await servesDirectory(pid, dir))) {
    const parent = await parentOf(pid);
    const owner = parent !== undefined && parent !== 1 ? await commandOf(parent) : '';
    if (/node|tsx/.test(owner)) throw new ClusterInUse(dir, parent!, owner.trim());
    log(`stopping orphaned embedded PostgreSQL (pid ${pid})`);
    process.kill(pid, 'SIGINT'); // fast shutdown: roll back, checkpoint, exit
    if (!(await waitForExit(pid, 15_000))) {
      process.kill(pid, 'SIGQUIT');
      await waitForExit(pid, 5_000);
    }
  }
  if (!isAlive(pid) || !(await servesDirectory(pid, dir))) {
    log(`removing stale ${dir}/postmaster.pid (pid ${pid})`);
    await rm(`${dir}/postmaster.pid`, { force: true });
  }
}

async function servesDirectory(pid: number, dir: string): Promise<boolean> {
  // The postmaster chdirs into its data directory, so its cwd says which cluster it serves.
  const [cwd, wanted] = await Promise.all([readlink(`/proc/${pid}/cwd`).catch(() => ''), realpath(dir).catch(() => dir)]);
  return cwd === wanted && /postgres/.test(await commandOf(pid));
}

async function commandOf(pid: number): Promise<string> {
  return (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).replaceAll('\0', ' ');
}

async function parentOf(pid: number): Promise<number | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // comm may contain spaces
  const ppid = Number(fields[1]);
  return Number.isInteger(ppid) ? ppid : undefined;
}

/**
 * A detached shell that stops postgres once this node process is gone, however it died (even
 * SIGKILL, where no 'exit' handler runs). It ends by itself when postgres stops first.
 */
export function spawnWatchdog(postgresPid: number): { stop(): void } {
  const script = `while kill -0 ${process.pid} 2>/dev/null && kill -0 ${postgresPid} 2>/dev/null; do sleep 1; done; `
    + `kill -0 ${process.pid} 2>/dev/null || kill -INT ${postgresPid} 2>/dev/null`;
  const child = spawn('sh', ['-c', script], { detached: true, stdio: 'ignore' });
  child.unref();
  return {
    stop() {
      if (child.pid === undefined) return;
      try { process.kill(-child.pid, 'SIGTERM'); } catch { /* already gone */ }
    },
  };
}
