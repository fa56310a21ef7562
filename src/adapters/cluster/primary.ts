import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import { answerMetricsRequests } from './metrics-relay.js';

export interface ClusterSettings {
  workers: number;
  /** How long SIGTERM waits for the workers (each bounds its own graceful close at 10 s) before killing them. */
  stopTimeoutMs?: number;
}

const STABLE_MS = 10_000; // a worker that lived this long was not part of a crash loop
const MAX_BACKOFF_MS = 10_000;

/**
 * The WORKERS > 1 primary: forks the workers (they share the listening port through node:cluster),
 * replaces one that dies after a backoff that doubles while workers keep dying young, and on
 * SIGTERM or SIGINT passes the signal on and exits once every worker has: 0 when all of them
 * closed cleanly. It serves no HTTP itself, except summing the workers' metrics for GET /metrics.
 */
export function runClusterPrimary({ workers, stopTimeoutMs = 15_000 }: ClusterSettings, logger: Logger): void {
  answerMetricsRequests();
  const live = new Map<Worker, number>(); // worker → when it was forked
  let stopping = false;
  let deathsInARow = 0;
  let cleanExits = true;

  const fork = () => {
    const worker = cluster.fork();
    live.set(worker, Date.now());
  };
  cluster.on('exit', (worker, code, signal) => {
    const lived = Date.now() - (live.get(worker) ?? Date.now());
    live.delete(worker);
    if (stopping) {
      if (code !== 0) cleanExits = false;
      if (live.size === 0) process.exit(cleanExits ? 0 : 1);
      return;
    }
    deathsInARow = lived >= STABLE_MS ? 1 : deathsInARow + 1;
    const delayMs = Math.min(100 * 2 ** (deathsInARow - 1), MAX_BACKOFF_MS);
    logger.warn({ workerPid: worker.process.pid, code, signal, replacingInMs: delayMs }, 'worker died; replacing it');
    setTimeout(() => { if (!stopping) fork(); }, delayMs); // not unref: with every worker dead it is all that keeps the primary up
  });

  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, workers: live.size }, 'shutting down the workers');
    if (live.size === 0) process.exit(0);
    for (const worker of live.keys()) worker.process.kill('SIGTERM');
    setTimeout(() => {
      logger.error({ workers: live.size }, 'workers did not stop in time; killing them');
      for (const worker of live.keys()) worker.process.kill('SIGKILL');
      process.exit(1);
    }, stopTimeoutMs).unref();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  for (let i = 0; i < workers; i++) fork();
  logger.info({ workers }, 'cluster primary started');
}
