import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requireService } from '../support/availability.js';
import { dotPeerAvailable } from '../support/dot-peer.js';
import { freePort } from '../support/free-port.js';
import { survivors, tree } from '../support/processes.js';

// `npm run peer:dot -- PORT` as a developer or a service manager runs it: SIGTERM to npm's pid must
// stop gunicorn's master and workers. npm runs the script through `sh -c`; without `exec` in the
// script (and start.sh's own exec), the signal would stop npm and leave gunicorn serving.

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

describe('npm run peer:dot', function () {
  this.timeout(60_000);
  before(function () { requireService(this, dotPeerAvailable(), 'the DOT peer'); });

  it('serves on the given loopback port and stops, workers and temp state included, on SIGTERM to npm', async () => {
    const port = await freePort();
    const env: NodeJS.ProcessEnv = { ...process.env, DOT_AUTHSERVER_WORKERS: '2' };
    delete env.DOT_AUTHSERVER_STATE_DIR; // the default: a temp dir made by start.sh, removed on exit
    const npm = spawn('npm', ['run', 'peer:dot', '--', String(port)], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    npm.stdout!.on('data', (d) => { output += d; });
    npm.stderr!.on('data', (d) => { output += d; });
    const exited = once(npm, 'exit') as Promise<[number | null, string | null]>;
    try {
      const deadline = Date.now() + 30_000;
      while ((await fetch(`http://127.0.0.1:${port}/o/token/`).then((r) => r.status, () => 0)) !== 405) {
        if (npm.exitCode !== null || Date.now() > deadline) throw new Error(`peer:dot never answered 405:\n${output}`);
        await sleep(100);
      }
      const stateDir = /dot-peer: state in (\S+)/.exec(output)?.[1];
      expect(stateDir, output).to.be.a('string');
      expect(existsSync(stateDir!)).to.equal(true);

      const before = tree(npm.pid!);
      const children = before.filter((p) => p.ppid === npm.pid);
      // npm's child is gunicorn's master itself, not a shell that would take the signal and die alone.
      expect(children, output).to.have.length(1);
      expect(children[0]!.cmdline).to.match(/^\/usr\/bin\/python3 -m gunicorn /);
      expect(before.filter((p) => p.ppid === children[0]!.pid), 'gunicorn workers').to.have.length(2);

      npm.kill('SIGTERM');
      const [code, signal] = await Promise.race([exited, sleep(15_000).then(() => [null, 'still running after 15 s'] as const)]);
      // gunicorn exits 0 after a graceful stop, and npm passes that on: a clean stop, not a failure.
      expect({ code, signal }, output).to.deep.equal({ code: 0, signal: null });
      expect(await survivors(before, 5_000)).to.deep.equal([]);
      expect(existsSync(stateDir!), 'the temp state dir').to.equal(false);
    } finally {
      if (npm.exitCode === null && npm.signalCode === null) for (const p of tree(npm.pid!).reverse()) process.kill(p.pid, 'SIGKILL');
    }
  });
});
