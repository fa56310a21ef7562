import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * `perf record` on each server process while the scenarios run: on-CPU samples only (a process
 * waiting for a CPU is not charged, unlike a --cpu-prof profile's wall time), every thread (GC
 * helpers, the libuv pool) and the kernel's share of its syscalls. The servers run with
 * --perf-basic-prof so JIT-compiled functions have names. Needs `perf` (Debian: linux-perf).
 */
export async function startPerf(dir: string, pids: Record<string, number>): Promise<{ stop(requests?: Record<string, number>): Promise<void> }> {
  mkdirSync(dir, { recursive: true });
  const recorders: ChildProcess[] = [];
  for (const [name, pid] of Object.entries(pids)) {
    const perf = spawn('perf', ['record', '-q', '-e', 'cpu-clock', '-F', '1999', '-g', '-p', String(pid), '-o', join(dir, `${name}.data`)],
      { stdio: ['ignore', 'ignore', 'inherit'] });
    await new Promise<void>((ok, fail) => { perf.once('spawn', ok); perf.once('error', (err) => fail(new Error(`perf: ${err.message}; apt-get install -y linux-perf`))); });
    recorders.push(perf);
  }
  await new Promise((done) => setTimeout(done, 200)); // attached before the load starts
  let stopped: Promise<void> | undefined;
  return {
    stop(requests) {
      if (requests) writeFileSync(join(dir, 'requests.json'), `${JSON.stringify(requests)}\n`);
      return (stopped ??= Promise.all(recorders.map((perf) => new Promise<void>((done) => {
        if (perf.exitCode !== null) return done();
        perf.once('exit', () => done());
        perf.kill('SIGINT'); // perf writes its file and exits
      }))).then(() => undefined));
    },
  };
}
