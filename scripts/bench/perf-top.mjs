// On-CPU time per request from `npm run bench -- --perf <dir>`, Gatehouse beside the baseline:
//   node scripts/bench/perf-top.mjs <dir> [n] [--total | --by-file] [--vs <other dir>]
// Self time by symbol (JS functions are `JS:*name file:line`; [k] is the kernel) in µs per request,
// or with --total the time of samples with that symbol anywhere on the stack, or with --by-file by
// the file of the nearest JavaScript function on the stack (what that code spent, the builtins,
// runtime and syscalls it called included; GC threads and the event loop apart). With --vs, the
// column that sorts is the excess: (Gatehouse − baseline here) − (Gatehouse − baseline there), e.g.
// a list run --vs a one-item run gives what Gatehouse's list spends beyond what its rows cost the
// baseline too.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const args = process.argv.slice(2);
const take = (name) => { const i = args.indexOf(name); return i < 0 ? undefined : args.splice(i, 2)[1]; };
const vs = take('--vs');
const flag = (name) => { const i = args.indexOf(name); if (i >= 0) args.splice(i, 1); return i >= 0; };
const total = flag('--total');
const byFile = flag('--by-file');
const [dir, n = '30'] = args;

/** µs per request by symbol for one server's samples. */
async function perRequest(runDir, server) {
  const requests = JSON.parse(readFileSync(join(runDir, 'requests.json'), 'utf8'))[server];
  if (!requests) return new Map(); // e.g. the token scenario, whose baseline is the DOT peer
  const perf = spawn('perf', ['script', '-F', 'period,ip,sym', '-i', join(runDir, `${server}.data`)], { stdio: ['ignore', 'pipe', 'ignore'] });
  const times = new Map();
  let period = 0;
  let stack = [];
  const flush = () => {
    if (!period) return;
    for (const sym of total ? new Set(stack) : byFile ? [fileOf(stack)] : stack.slice(0, 1)) times.set(sym, (times.get(sym) ?? 0) + period);
    times.set('(all)', (times.get('(all)') ?? 0) + period);
    period = 0;
    stack = [];
  };
  for await (const line of createInterface({ input: perf.stdout })) {
    if (!line.trim()) { flush(); continue; }
    if (/^\s*\d+\s*$/.test(line)) { flush(); period = Number(line); continue; }
    stack.push(line.trim().replace(/^[0-9a-f]+ /, '').replace(/file:\/\/\S*?\/(node_modules|dist)\//, '$1/').replace(/\/\S*?\/(node_modules|dist)\//, '$1/'));
  }
  flush();
  return new Map([...times].map(([sym, ns]) => [sym, ns / 1000 / requests]));
}

/** The file of the innermost JS frame; else what kind of thread or work the sample is. */
function fileOf(stack) {
  const js = stack.find((f) => f.startsWith('JS:'));
  if (js) return js.replace(/^JS:\S*\s*/, '').replace(/:\d+:\d+$/, '') || '(anonymous js)';
  if (stack.some((f) => /Scavenger|MarkCompact|ConcurrentMarking|Sweeper|Heap::|GCTracer|MinorMC/.test(f))) return '(gc)';
  if (stack.some((f) => /uv__work_done|uv__fs_work|worker \(|uv_thread/.test(f))) return '(libuv pool)';
  if (stack.some((f) => /compiler::|Compile|Turbofan|Maglev|Baseline/.test(f))) return '(jit compiler)';
  return stack.some((f) => f.includes('uv_run')) ? '(event loop, no js)' : '(other threads)';
}

const here = { g: await perRequest(dir, 'gatehouse'), b: await perRequest(dir, 'baseline') };
const there = vs ? { g: await perRequest(vs, 'gatehouse'), b: await perRequest(vs, 'baseline') } : undefined;
const at = (m, k) => m.get(k) ?? 0;
const score = (k) => (there ? (at(here.g, k) - at(here.b, k)) - (at(there.g, k) - at(there.b, k)) : at(here.g, k));
const keys = [...new Set([...here.g.keys(), ...here.b.keys(), ...(there ? [...there.g.keys(), ...there.b.keys()] : [])])];
const f = (v) => v.toFixed(1).padStart(7);
console.log(`µs per request, ${total ? 'total' : byFile ? 'by file' : 'self'} on-CPU time; columns: ${there ? 'excess  ' : ''}Gatehouse baseline${there ? `  | in ${vs}: Gatehouse baseline` : ''}`);
for (const k of ['(all)', ...keys.filter((k) => k !== '(all)').sort((a, b) => score(b) - score(a)).slice(0, Number(n))]) {
  console.log(`${there ? `${f(score(k))} ` : ''}${f(at(here.g, k))} ${f(at(here.b, k))}${there ? `  | ${f(at(there.g, k))} ${f(at(there.b, k))}` : ''}  ${k}`);
}
