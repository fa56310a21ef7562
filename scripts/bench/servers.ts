import { spawn, type ChildProcess } from 'node:child_process';
import { openSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../test/support/free-port.js';

export interface Child { pid: number; url: string; startMs: number; stop(): Promise<void> }

/**
 * Gatehouse as production runs it: compiled JS (`dist/`), its own process, LOG_LEVEL=info, one JSON
 * line per request written to a file. `nodeArgs` carries `--cpu-prof` when profiling.
 */
export async function startGatehouseProcess(env: Record<string, string>, logFile: string, nodeArgs: string[] = []): Promise<Child> {
  const port = await freePort();
  return launch(process.execPath, [...nodeArgs, join('dist', 'src', 'main.js')],
    { ...env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info' }, `http://127.0.0.1:${port}`, '/readyz', logFile);
}

export async function startBaseline(env: Record<string, string>, logFile: string, nodeArgs: string[] = []): Promise<Child> {
  const port = await freePort();
  return launch(process.execPath, [...nodeArgs, join('scripts', 'bench', 'baseline-server.mjs')],
    { ...env, PORT: String(port) }, `http://127.0.0.1:${port}`, '/ready-probe', logFile);
}

/** Spawns and polls `probe` until it answers (any answer for the baseline, 200 for /readyz). */
async function launch(cmd: string, args: string[], env: Record<string, string>, url: string, probe: string, logFile: string): Promise<Child> {
  const started = performance.now();
  const out = openSync(logFile, 'a');
  const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', out, out] });
  let exited = false;
  child.once('exit', () => { exited = true; });
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline && !exited) {
    const status = await fetch(url + probe, { signal: AbortSignal.timeout(1000) }).then(async (r) => { await r.arrayBuffer(); return r.status; }, () => 0);
    if (probe === '/readyz' ? status === 200 : status > 0) {
      return { pid: child.pid!, url, startMs: performance.now() - started, stop: () => stop(child) };
    }
    await new Promise((done) => setTimeout(done, 10));
  }
  await stop(child);
  throw new Error(`${args.at(-1)} did not become ready on ${url}; see ${logFile}`);
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((done) => child.once('exit', done));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}
