export interface Row { scenario: string; gatehouse: string; baseline: string; ratio: string; target: string; pass: boolean; note?: string }

const HEAD = ['scenario', 'Gatehouse', 'baseline', 'ratio', 'target', 'pass'];

/** A plain table that reads at a glance, also valid Markdown for docs/performance.md. */
export function printTable(rows: Row[], run: { quick: boolean; seconds: number; rounds: number }): void {
  const cells = rows.map((r) => [r.scenario, r.gatehouse, r.baseline, r.ratio, r.target, r.pass ? 'pass' : 'FAIL']);
  const widths = HEAD.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => `| ${c.map((v, i) => v.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(`\n${run.rounds} rounds × ${run.seconds} s per server, A B A B${run.quick ? ' (--quick)' : ''}; `
    + 'cells: req/s p50/p99 latency, server CPU per request (medians over rounds)');
  console.log(line(HEAD));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const c of cells) console.log(line(c));
  for (const r of rows.filter((r) => r.note)) console.log(`- ${r.scenario}: ${r.note}`);
}
