import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { applyHeapPolicy, HEAP_FLAGS } from '../../src/heap-policy.js';

describe('heap policy', () => {
  it('sets its V8 flags', () => {
    const set: string[] = [];
    applyHeapPolicy((flag) => set.push(flag));
    expect(set).to.deep.equal(['--no-allocation-site-pretenuring']);
  });

  // v8.setFlagsFromString ignores a flag V8 does not know, so a Node upgrade that dropped one would
  // pass unnoticed; node itself refuses an unknown flag on its command line.
  it('names only flags this Node version knows', () => {
    for (const flag of HEAP_FLAGS) {
      expect(spawnSync(process.execPath, [flag, '-e', '']).status, flag).to.equal(0);
    }
    expect(spawnSync(process.execPath, ['--no-such-v8-flag-at-all', '-e', '']).status).not.to.equal(0);
  });
});
