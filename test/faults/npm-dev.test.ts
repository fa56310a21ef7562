import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { checkoutCopy, killLeftovers, npmRun, stop, survivors, tree, untilReady, type Proc, type Started } from '../support/npm-script.js';

// `npm run dev` runs src/ through tsx. As `tsx src/main.ts` under npm's `sh -c`, SIGTERM to npm
// killed the shell and left tsx, the server and its embedded PostgreSQL running. Now the script
// execs one node that loads tsx itself, so npm's child is the server, as with `npm start`.

describe('npm run dev under a service manager', function () {
  this.timeout(120_000);
  let dataDir: string;
  let checkout: Awaited<ReturnType<typeof checkoutCopy>>;
  const running: Started[] = [];
  let seen: Proc[] = [];

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'gatehouse-npm-dev-'));
    checkout = await checkoutCopy();
  });
  after(async () => {
    killLeftovers(running, seen);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
    await checkout?.remove();
  });

  it('on SIGTERM to npm\'s pid stops the server and PostgreSQL and exits 0', async () => {
    const started = await npmRun(['run', 'dev'], checkout.dir, dataDir);
    running.push(started);
    await untilReady(started, 90_000);
    const before = seen = tree(started.npm.pid!);
    expect(before.some((p) => p.cmdline.includes(`-D ${join(dataDir, 'postgres')}`)), 'the embedded postgres').to.equal(true);
    expect(before.filter((p) => p.ppid === started.npm.pid).map((p) => p.cmdline), 'npm\'s child').to.deep.equal(['node --import tsx src/main.ts']);

    const { code, signal, ms } = await stop(started);
    console.log(`      SIGTERM to npm's exit: ${ms} ms`);
    expect({ code, signal }, started.stderr()).to.deep.equal({ code: 0, signal: null });
    expect(await survivors(before, 5_000, dataDir)).to.deep.equal([]);
  });
});
