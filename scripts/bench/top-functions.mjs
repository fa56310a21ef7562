// Top functions of a `node --cpu-prof` profile:
//   node scripts/bench/top-functions.mjs <file.cpuprofile> [n] [--total] [--requests N]
// By self time unless --total (time with everything it called; a function on the stack twice counts
// once). --requests N (the requests served under load, which `npm run bench -- --profile` prints)
// adds µs per request, which compares across scenarios and servers. A --cpu-prof profile samples
// wall time: a process waiting for the CPU inside a syscall (writev, on a loaded 2-core machine)
// is charged there. For CPU only, kernel and GC threads included, see perf-top.mjs.
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const flag = (name) => { const i = args.indexOf(name); if (i < 0) return undefined; const [v] = args.splice(i, 2).slice(1); return v; };
const total = args.includes('--total');
if (total) args.splice(args.indexOf('--total'), 1);
const requests = Number(flag('--requests') ?? 0);
const [file, n = '25'] = args;
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
const keyOf = ({ callFrame: f }) => {
  const where = f.url ? `${f.url.replace(/^.*\/(node_modules|dist)\//, '$1/')}:${f.lineNumber + 1}` : '';
  return `${f.functionName || '(anonymous)'} ${where}`;
};
const times = new Map();
const dt = profile.timeDeltas;
let all = 0;
let idle = 0;
profile.samples.forEach((id, i) => {
  const us = dt[i] ?? 0;
  all += us;
  const leaf = byId.get(id);
  if (keyOf(leaf).startsWith('(idle)')) { idle += us; return; }
  const keys = new Set();
  for (let at = id; at !== undefined; at = total ? parent.get(at) : undefined) keys.add(keyOf(byId.get(at)));
  for (const key of keys) if (key !== '(root) ') times.set(key, (times.get(key) ?? 0) + us);
});
const busy = all - idle;
console.log(`busy ${(busy / 1e6).toFixed(1)} s of ${(all / 1e6).toFixed(1)} s`
  + (requests ? `, ${requests} requests, ${(busy / requests).toFixed(0)} µs busy per request` : '')
  + `; ${total ? 'total' : 'self'} time, share of busy${requests ? ', µs per request' : ''}:`);
for (const [key, us] of [...times].sort((a, b) => b[1] - a[1]).slice(0, Number(n))) {
  console.log(`${((100 * us) / busy).toFixed(1).padStart(5)} %  ${requests ? `${(us / requests).toFixed(1).padStart(6)} µs  ` : ''}${key}`);
}
