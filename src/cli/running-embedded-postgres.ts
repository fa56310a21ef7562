import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isAlive } from '../adapters/db/postgres-process.js';
import { AdminFailure } from './admin-failure.js';

/**
 * The URL of the embedded PostgreSQL that a running Gatehouse owns in `dataDir`, or undefined when
 * none runs there (then the caller starts it itself). A second postgres cannot open the same
 * cluster, so while the server runs the command line joins it as one more client: on 127.0.0.1 at
 * the port in postmaster.pid, as user postgres, with the password kept beside the cluster. One that
 * is starting is waited for; one that is stopping, until it is gone.
 */
export async function runningEmbeddedPostgres(dataDir: string, waitMs = 15_000): Promise<string | undefined> {
  const cluster = join(dataDir, 'postgres');
  const deadline = Date.now() + waitMs;
  for (;;) {
    const lock = await readLock(cluster);
    if (!lock || !isAlive(lock.pid) || !(await isPostgres(lock.pid))) return undefined;
    if (lock.status === 'ready' && lock.port > 0) {
      const passwordFile = join(dataDir, 'postgres.password');
      const password = (await readFile(passwordFile, 'utf8').catch(() => {
        throw new AdminFailure(`the embedded PostgreSQL in ${cluster} is running but ${passwordFile} cannot be read: run this as the user the server runs as`);
      })).trim();
      return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${lock.port}/postgres`;
    }
    if (Date.now() > deadline) {
      throw new AdminFailure(`the embedded PostgreSQL in ${cluster} (pid ${lock.pid}) is "${lock.status}" and was not ready within ${waitMs / 1000} s`);
    }
    await sleep(100);
  }
}

/** postmaster.pid: line 1 the pid, line 4 the port, line 8 the status ("starting", "ready", "stopping"). */
async function readLock(cluster: string): Promise<{ pid: number; port: number; status: string } | undefined> {
  const text = await readFile(join(cluster, 'postmaster.pid'), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const lines = text.split('\n');
  const pid = Number(lines[0]);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  return { pid, port: Number(lines[3]) || 0, status: (lines[7] ?? '').trim() };
}

/** A lock left by a crash may name a pid since reused by something else; without /proc, the pid is taken at its word. */
async function isPostgres(pid: number): Promise<boolean> {
  const command = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => undefined);
  return command === undefined || /postgres/.test(command);
}
