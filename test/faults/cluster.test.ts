import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import { expect } from 'chai';
import { ApiClient } from '../support/api-client.js';
import { requireService } from '../support/availability.js';
import { freshPostgresDatabase, postgresAvailable } from '../support/postgres.js';
import { freePort } from '../support/free-port.js';

/** One request on a connection of its own, so each one is handed to a worker afresh. */
function get(port: number, path: string, token: string): Promise<number | string> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent: false, timeout: 5_000, headers: { Authorization: `Bearer ${token}` } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', (err) => resolve(err.message));
    });
    req.on('error', (err) => resolve(err.message));
    req.on('timeout', () => { req.destroy(); resolve('no answer in 5 s'); });
  });
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

describe('WORKERS=2: a node:cluster primary and its workers', function () {
  this.timeout(90_000);
  let child: ChildProcess | undefined;
  let drop: (() => Promise<void>) | undefined;
  let stdout = '';
  let stderr = '';
  /** pids of the workers that said they are listening, in order. */
  const listening = () => stdout.split('\n').filter((l) => l.includes('"gatehouse is listening"')).map((l) => JSON.parse(l).pid as number);

  before(async function () { requireService(this, await postgresAvailable(), 'PostgreSQL on 127.0.0.1:5432'); });
  after(async () => { child?.kill('SIGKILL'); await drop?.(); });

  it('replaces a worker killed with SIGKILL while requests keep succeeding, sums metrics, and exits 0 on SIGTERM', async () => {
    const db = await freshPostgresDatabase();
    drop = db.drop;
    const port = await freePort();
    child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: { ...process.env, PORT: String(port), DATABASE_URL: db.url, LOG_LEVEL: 'info', WORKERS: '2', RATE_LIMIT_ENABLED: 'false' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d) => { stdout += d; });
    child.stderr!.on('data', (d) => { stderr += d; });
    for (let i = 0; listening().length < 2; i++) {
      if (i > 300) throw new Error(`the workers did not start: ${stderr}`);
      await sleep(100);
    }
    const [first, second] = listening();
    expect(first).not.to.equal(second);
    const api = new ApiClient(`http://127.0.0.1:${port}`);
    const user = await api.newUser('cluster');

    process.kill(first!, 'SIGKILL');
    // Until the primary sees the death, node:cluster may still hand it a connection, which then hangs:
    // a load balancer's retry covers that instant. From the primary's notice on, nothing may fail.
    for (let i = 0; !stdout.includes('worker died; replacing it'); i++) {
      if (i > 100) throw new Error(`the primary did not notice: ${stdout}`);
      await sleep(20);
    }
    const statuses: (number | string)[] = [];
    for (let i = 0; i < 200 && listening().length < 3; i++) {
      statuses.push(await get(port, '/items/?limit=1', user.token));
      await sleep(20);
    }
    expect(listening(), 'a new worker').to.have.length(3);
    for (let i = 0; i < 20; i++) statuses.push(await get(port, '/items/?limit=1', user.token));
    expect(statuses.filter((s) => s !== 200), `${statuses.length} requests`).to.deep.equal([]);

    // Every worker answered some of those; a scrape on any worker sums them all.
    const metrics = await (await fetch(`${api.baseUrl}/metrics`)).text();
    const count = Number(/gatehouse_http_request_duration_seconds_count\{route="\/items\/",method="GET",status="200"\} (\d+)/.exec(metrics)?.[1]);
    expect(count).to.be.at.least(20);

    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const [code] = await exited;
    expect(code, stderr).to.equal(0);
    for (const pid of listening().slice(1)) expect(() => process.kill(pid, 0), `worker ${pid} is gone`).to.throw();
  });
});
