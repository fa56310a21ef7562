import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const TICK_US = 1e6 / 100; // CLK_TCK is 100 on Linux

/** One load run against one server: what wrk saw plus what the server process spent. */
export interface Sample {
  rps: number; p50ms: number; p99ms: number; cpuUsPerReq?: number; requests: number; failed: number;
  /** CPU per second of wall time of `LoadSpec.idlePid`, a process this run's requests do not reach. */
  idleCpuUsPerSec?: number;
}

export interface LoadSpec {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  /** POST bodies; `{n}` becomes a number unique within the run (a wrk thread id and a counter). */
  body?: string;
  /** The process whose CPU is charged to this run, when it is ours to read. */
  pid?: number;
  /**
   * A process of ours that this run leaves idle: what it spends meanwhile (timers, pools, GC) is
   * its idle cost, which a slow scenario's per-request figure would otherwise include.
   */
  idlePid?: number;
}

export const CONNECTIONS = 32;
const IDLE_AFTER_MS = 1000;

/** Runs wrk for `seconds` with CONNECTIONS connections; its Lua `done` hook prints the numbers as JSON. */
export async function load(spec: LoadSpec, seconds: number, scratch: string, tag: string): Promise<Sample> {
  const script = join(scratch, `${tag.replace(/\W/g, '_')}.lua`);
  writeFileSync(script, luaScript(spec, tag));
  const before = spec.pid ? cpuTicks(spec.pid) : 0;
  // The idle reading starts a second in: requests the previous run left in flight finish before that.
  let idleFrom: { ticks: number; at: number } | undefined;
  const idleTimer = spec.idlePid ? setTimeout(() => { idleFrom = { ticks: cpuTicks(spec.idlePid!), at: performance.now() }; }, IDLE_AFTER_MS) : undefined;
  const { stdout } = await run('wrk', ['-t2', `-c${CONNECTIONS}`, `-d${seconds}s`, '--timeout', '10s', '-s', script, spec.url],
    { timeout: (seconds + 30) * 1000 });
  const line = stdout.split('\n').find((l) => l.startsWith('{"requests"'));
  if (!line) throw new Error(`wrk printed no result for ${tag}:\n${stdout}`);
  const r = JSON.parse(line) as { requests: number; duration_us: number; p50: number; p99: number; failed: number };
  const sample: Sample = {
    rps: r.requests / (r.duration_us / 1e6), p50ms: r.p50 / 1000, p99ms: r.p99 / 1000, requests: r.requests, failed: r.failed,
  };
  if (spec.pid) sample.cpuUsPerReq = ((cpuTicks(spec.pid) - before) * TICK_US) / Math.max(1, r.requests);
  clearTimeout(idleTimer);
  if (spec.idlePid && idleFrom) sample.idleCpuUsPerSec = ((cpuTicks(spec.idlePid) - idleFrom.ticks) * TICK_US) / ((performance.now() - idleFrom.at) / 1000);
  return sample;
}

function luaScript(spec: LoadSpec, tag: string): string {
  const headers = Object.entries(spec.headers ?? {}).map(([k, v]) => `[${lua(k)}] = ${lua(v)}`).join(', ');
  const path = new URL(spec.url);
  const [before = '', after] = (spec.body ?? '').split('{n}');
  const body = spec.body === undefined ? 'nil'
    : after === undefined ? lua(before) : `${lua(before)} .. ${lua(tag.slice(-12))} .. tid .. "x" .. counter .. ${lua(after)}`;
  return `
local counter, threads = 0, 0
function setup(thread) thread:set("tid", threads); threads = threads + 1 end
function request()
  counter = counter + 1
  local body = ${body}
  return wrk.format(${lua(spec.method ?? 'GET')}, ${lua(path.pathname + path.search)}, { ${headers} }, body)
end
function done(s, latency)
  local e = s.errors
  io.write(string.format('{"requests":%d,"duration_us":%d,"p50":%d,"p99":%d,"failed":%d}\\n', s.requests, s.duration,
    latency:percentile(50), latency:percentile(99), e.status + e.connect + e.read + e.write + e.timeout))
end
`;
}

const lua = (s: string) => JSON.stringify(s); // a JSON string is a valid Lua string literal for ASCII

/** utime + stime of a process, in clock ticks (/proc/<pid>/stat fields 14 and 15). */
export function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // the name may hold spaces
  return Number(fields[11]) + Number(fields[12]);
}

export function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:')) ?? '';
  return Number(/\d+/.exec(line)?.[0] ?? 0) / 1024;
}

export async function haveWrk(): Promise<boolean> {
  return run('wrk', ['--version']).then(() => true, (err: { stdout?: string }) => Boolean(err.stdout?.includes('wrk')));
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
