import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ClusterInUse } from './adapters/db/postgres-process.js';

/**
 * A Gatehouse serving from the embedded PostgreSQL writes where it listens into its data folder,
 * so that a second start in the same checkout, which cannot open the same cluster, can say what
 * already runs there and where rather than only naming the folder.
 */
const FILE = 'gatehouse.json';

interface Record { pid: number; url: string; publicUrl: string; startedAt: string }

/** Writes this process's record; the returned function removes it again (at close). */
export async function recordRunning(dataDir: string, where: { url: string; publicUrl: string }): Promise<() => Promise<void>> {
  const record: Record = { pid: process.pid, ...where, startedAt: new Date().toISOString() };
  const path = join(dataDir, FILE);
  await writeFile(path, `${JSON.stringify(record)}\n`);
  return () => rm(path, { force: true });
}

/** A ClusterInUse turned into what the operator needs: which process, listening where, and what to do. Anything else as it was. */
export async function explainAlreadyRunning(err: unknown, dataDir: string): Promise<unknown> {
  if (!(err instanceof ClusterInUse)) return err;
  const record = await readRecord(dataDir);
  const advice = `stop it (kill ${err.ownerPid}), or give this one its own DATA_DIR${record ? ' and PORT' : ''}`;
  if (record?.pid === err.ownerPid) {
    const publicUrl = record.publicUrl !== record.url ? ` (public URL ${record.publicUrl})` : '';
    return new Error(`Gatehouse is already running with the data folder ${dataDir}: pid ${record.pid}, listening on ${record.url}${publicUrl}, since ${record.startedAt}; ${advice}`, { cause: err });
  }
  // Not a server's record: npm run admin holding the cluster for a command, or a server still starting.
  return new Error(`${err.message}; ${advice}`, { cause: err });
}

async function readRecord(dataDir: string): Promise<Record | undefined> {
  try {
    const record = JSON.parse(await readFile(join(dataDir, FILE), 'utf8')) as Partial<Record>;
    return typeof record.pid === 'number' && typeof record.url === 'string' ? record as Record : undefined;
  } catch {
    return undefined;
  }
}

/** Listening failed: a port already taken says so, and what to change. */
export function explainListenFailure(err: unknown, host: string, port: number): unknown {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (code === 'EADDRINUSE') return new Error(`${host}:${port} is already in use by another process (another Gatehouse?); set PORT to a free port`, { cause: err });
  if (code === 'EACCES') return new Error(`${host}:${port} needs privileges this process lacks; set PORT above 1023`, { cause: err });
  return err;
}
