import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import { expect } from 'chai';
import { ApiClient } from '../support/api-client.js';
import { requireService } from '../support/availability.js';
import { freshPostgresDatabase, postgresAvailable } from '../support/postgres.js';
import { freePort } from '../support/free-port.js';

type Outcome = number | 'refused' | 'unanswered' | 'cut';

/**
 * One request on a connection of its own. 'unanswered': the connection was reset before any byte of
 * an answer, which happens to connections still in the kernel's accept queue when the listener
 * closes: the server never saw them. 'cut': an answer began and broke off, which must never happen.
 */
function get(port: number, path: string, token: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent: false, headers: { Authorization: `Bearer ${token}` } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', () => resolve('cut'));
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED' ? 'refused' : 'unanswered'));
  });
}

describe('graceful shutdown', function () {
  this.timeout(60_000);
  let child: ChildProcess | undefined;
  const drops: (() => Promise<void>)[] = [];

  before(async function () { requireService(this, await postgresAvailable(), 'PostgreSQL on 127.0.0.1:5432'); });
  afterEach(() => { child?.kill('SIGKILL'); });
  after(async () => { for (const drop of drops) await drop(); });

  /** `npm start`'s process on a fresh database, once it answers; `output` collects what it prints. */
  async function startServer(): Promise<{ server: ChildProcess; port: number; output: { stdout: string; stderr: string } }> {
    const db = await freshPostgresDatabase();
    drops.push(db.drop);
    const port = await freePort();
    const server = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: { ...process.env, PORT: String(port), DATABASE_URL: db.url, LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = server;
    const output = { stdout: '', stderr: '' };
    server.stderr!.on('data', (d) => { output.stderr += d; });
    server.stdout!.on('data', (d) => { output.stdout += d; });
    for (let i = 0; !(await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false)); i++) {
      if (i > 100) throw new Error(`server did not start: ${output.stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    return { server, port, output };
  }

  it('on SIGTERM under load answers every request it accepted (its own log says which), then exits 0', async () => {
    const { server, port, output } = await startServer();
    const api = new ApiClient(`http://127.0.0.1:${port}`);
    const user = await api.newUser('shutdown');

    const outcomes: Outcome[] = [];
    let running = true;
    const workers = Array.from({ length: 16 }, async () => {
      while (running) {
        const outcome = await get(port, '/items/?limit=5', user.token);
        outcomes.push(outcome);
        if (outcome === 'refused') return;
      }
    });
    await new Promise((r) => setTimeout(r, 500));
    const exited = once(server, 'exit');
    server.kill('SIGTERM');
    const [code] = await exited;
    running = false;
    await Promise.all(workers);

    expect(code, output.stderr).to.equal(0);
    const served = outcomes.filter((o) => typeof o === 'number');
    expect(served.length).to.be.greaterThan(50);
    expect(served.every((s) => s === 200), JSON.stringify(outcomes.filter((o) => o !== 200))).to.equal(true);
    expect(outcomes.filter((o) => o === 'cut')).to.deep.equal([]);
    const accepted = output.stdout.split('\n').filter((line) => line.includes('"path":"/items/"'));
    expect(accepted.length, 'requests the server logged vs answers the clients got').to.equal(served.length);
  });

  it('writes a quiet server\'s request line within about a second, although it batches log writes', async () => {
    const { server, port, output } = await startServer();
    const requestId = `quiet-${Date.now()}`;
    await fetch(`http://127.0.0.1:${port}/healthz`, { headers: { 'X-Request-Id': requestId } });
    const sent = Date.now();
    while (!output.stdout.includes(requestId) && Date.now() - sent < 3000) await new Promise((r) => setTimeout(r, 50));
    expect(output.stdout, 'the request line while the server runs').to.include(`"requestId":"${requestId}"`);
    expect(Date.now() - sent).to.be.below(2000);
    server.kill('SIGTERM');
    await once(server, 'exit');
  });
});
