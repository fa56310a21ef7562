import { readdirSync, readFileSync } from 'node:fs';

// Process trees read from /proc, for tests that stop a server with a signal and must show that
// nothing it started (workers, a database, a compiler) outlives it.

export interface Proc { pid: number; ppid: number; state: string; started: string; cmdline: string }

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

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

/**
 * Those of `procs` still alive (a zombie has exited; a reused pid is another process), and any
 * process whose command line holds `alsoMatching`, after waiting up to `ms` for them to go.
 */
export async function survivors(procs: Proc[], ms: number, alsoMatching?: string): Promise<string[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const alive = processes().filter((p) => p.state !== 'Z'
      && (procs.some((q) => q.pid === p.pid && q.started === p.started) || (alsoMatching !== undefined && p.cmdline.includes(alsoMatching))));
    if (alive.length === 0 || Date.now() > deadline) return alive.map((p) => `${p.pid} ${p.cmdline}`);
    await sleep(100);
  }
}
