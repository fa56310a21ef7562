import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { dotPeerAvailable, dotPeerMissing } from '../support/dot-peer.js';
import { freePort } from '../support/free-port.js';
import { recipeBlocks } from '../support/readme-recipes.js';

const run = promisify(execFile);
const README_PORT = '8001';
const README_PEER_PORT = '8000';

/**
 * The README as a stranger follows it: a clone of the committed tree in an empty temporary
 * directory, nothing beside it, and the quick start's and the DOT section's commands as written.
 * Only the ports differ (free ones instead of 8001 and 8000, through PORT and the peer's documented
 * port argument), and npm prefers the cache the outer install filled.
 */
describe('the README from a fresh clone', function () {
  this.timeout(600_000);
  let dir: string;
  const servers: ChildProcess[] = [];
  // Nothing of this checkout's: not its node_modules/.bin on PATH, nor the npm_* settings of `npm test`.
  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
  env.PATH = (process.env.PATH ?? '').split(delimiter).filter((p) => !resolve(p).startsWith(resolve('node_modules'))).join(delimiter);
  const offline = (line: string) => line.replace(/\bnpm install\b/g, 'npm install --prefer-offline --no-audit --no-fund');

  before(async () => {
    const parent = await mkdtemp(join(tmpdir(), 'gatehouse-clone-'));
    // mkdtemp makes it 0700; run as root, the embedded PostgreSQL runs as a `postgres` user, who must reach the clone.
    await chmod(parent, 0o755);
    dir = join(parent, 'gatehouse');
    await run('git', ['clone', '--quiet', resolve('.'), dir]);
  });
  after(async () => {
    for (const server of servers) await stopServer(server);
    if (dir) await rm(resolve(dir, '..'), { recursive: true, force: true });
  });

  /** A long-running command of the README, started in the clone the way a terminal would; resolves once `readyUrl` answers `status`. */
  async function startServer(line: string, extraEnv: NodeJS.ProcessEnv, readyUrl: string, status: number): Promise<ChildProcess> {
    const child = spawn('sh', ['-c', `exec ${line}`], { cwd: dir, env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    servers.push(child);
    let output = '';
    child.stdout!.on('data', (chunk) => { output = (output + chunk).slice(-6000); });
    child.stderr!.on('data', (chunk) => { output = (output + chunk).slice(-6000); });
    const deadline = Date.now() + 300_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`\`${line}\` exited with ${child.exitCode}:\n${output}`);
      const answered = await fetch(readyUrl, { redirect: 'manual', signal: AbortSignal.timeout(2000) }).then((res) => res.status, () => 0);
      if (answered === status) return child;
      await new Promise((done) => setTimeout(done, 500));
    }
    throw new Error(`\`${line}\` did not answer ${readyUrl} with ${status} within 300 s:\n${output}`);
  }

  /** The README's curl session, run by sh as pasted; its four answers, parsed. */
  async function curlSession(block: string, port: number): Promise<unknown[]> {
    const { stdout } = await run('sh', ['-ec', block.replaceAll(`localhost:${README_PORT}`, `localhost:${port}`)], { cwd: dir, env });
    // Each curl prints one JSON document with no newline after it: split where one ends and the next begins.
    return stdout.replace(/}\s*{/g, '}\n{').split('\n').filter(Boolean).map((line) => JSON.parse(line));
  }

  function expectTheSessionWorked(answers: unknown[]) {
    expect(answers).to.have.length(3);
    expect(answers[0]).to.include({ email: 'alice@example.com' });
    expect(answers[1]).to.deep.include({ name: 'lamp', description: 'a red lamp', price: '12.50' });
    expect((answers[2] as { results: unknown[] }).results).to.have.length(1);
  }

  it('quick start: `npm install && npm start` serves the API, the curl session works, SIGTERM stops it with 0', async () => {
    const readme = await readFile(join(dir, 'README.md'), 'utf8');
    const [start, tests, session] = recipeBlocks(readme, 'quick-start');
    expect(start).to.match(/^npm install && npm start\b/);
    expect(tests).to.match(/^npm test\b/); // run by this very suite, not again here
    // `npm install && npm start`: the install as sh runs it, then the server as its own process, so
    // the SIGTERM below goes to npm's pid as a service manager's would.
    const commands = start!.split('#')[0]!.split('&&').map((command) => command.trim());
    for (const command of commands.slice(0, -1)) await run('sh', ['-ec', offline(command)], { cwd: dir, env, maxBuffer: 16 * 1024 * 1024 });
    const port = await freePort();
    const server = await startServer(commands.at(-1)!, { PORT: String(port) }, `http://127.0.0.1:${port}/readyz`, 200);
    expectTheSessionWorked(await curlSession(session!, port));
    expect(await stopServer(server)).to.deep.equal({ code: 0, signal: null });
  });

  it('DOT: the peer from the clone and Gatehouse in front of it, the same curl session works', async function () {
    if (!dotPeerAvailable()) {
      if (process.env.CI) throw new Error(`the DOT peer cannot run: ${dotPeerMissing()}`);
      this.skip();
    }
    const readme = await readFile(join(dir, 'README.md'), 'utf8');
    const [install, peer, gatehouse] = recipeBlocks(readme, 'dot');
    expect(install).to.match(/^apt-get install -y python3-django python3-djangorestframework python3-django-oauth-toolkit gunicorn$/m); // present already: dotPeerAvailable()
    expect(peer).to.equal('npm run peer:dot');
    const peerPort = await freePort();
    await startServer(`${peer} -- ${peerPort}`, {}, `http://127.0.0.1:${peerPort}/o/token/`, 405);
    const port = await freePort();
    const command = gatehouse!.replace(/\\\n/g, ' ').replaceAll(`127.0.0.1:${README_PEER_PORT}`, `127.0.0.1:${peerPort}`);
    const server = await startServer(command, { PORT: String(port) }, `http://127.0.0.1:${port}/readyz`, 200);
    const session = recipeBlocks(readme, 'quick-start')[2]!;
    expectTheSessionWorked(await curlSession(session, port));
    expect(await stopServer(server)).to.deep.equal({ code: 0, signal: null });
  });
});

/** SIGTERM to the command's own pid, as a service manager sends it; then nothing of its group may be left. */
async function stopServer(child: ChildProcess): Promise<{ code: number | null; signal: string | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return { code: child.exitCode, signal: child.signalCode };
  const exited = new Promise<{ code: number | null; signal: string | null }>((done) => child.once('exit', (code, signal) => done({ code, signal })));
  child.kill('SIGTERM');
  const timer = setTimeout(() => { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ } }, 20_000);
  const result = await exited;
  clearTimeout(timer);
  for (let i = 0; groupAlive(child.pid!); i++) {
    if (i > 50) throw new Error(`something of \`${child.spawnargs.join(' ')}\` outlived it by 5 s`);
    await new Promise((done) => setTimeout(done, 100));
  }
  return result;
}

/** Whether any process of the group the command led (it was spawned detached) still runs; zombies have exited. */
function groupAlive(pgid: number): boolean {
  return readdirSync('/proc').filter((entry) => /^\d+$/.test(entry)).some((pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const [state, , group] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return state !== 'Z' && Number(group) === pgid;
    } catch { return false; } // it exited while we looked
  });
}
