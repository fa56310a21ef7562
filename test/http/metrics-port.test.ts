import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import { expect } from 'chai';
import { loadConfig } from '../../src/config.js';
import { ApiClient } from '../support/api-client.js';
import { requireService } from '../support/availability.js';
import { freePort } from '../support/free-port.js';
import { startTestGatehouse } from '../support/gatehouse.js';
import { freshPostgresDatabase, postgresAvailable } from '../support/postgres.js';

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** One request on a connection of its own (in a cluster, each is handed to a worker afresh): the status and body, or the error. */
function get(url: string, method = 'GET'): Promise<{ status: number; text: string } | { error: string }> {
  return new Promise((resolve) => {
    const req = http.request(url, { method, agent: false, timeout: 5_000 }, (res) => {
      let text = '';
      res.on('data', (d) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
    req.on('timeout', () => { req.destroy(); resolve({ error: 'no answer in 5 s' }); });
    req.end();
  });
}

/** The sum of `gatehouse_http_request_duration_seconds_count` over the samples of one route and status. */
const countOf = (text: string, route: string, status: number) => text.split('\n')
  .filter((l) => l.startsWith('gatehouse_http_request_duration_seconds_count{') && l.includes(`route="${route}"`) && l.includes(`status="${status}"`))
  .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);

describe('METRICS_PORT: /metrics on a listener of its own', function () {
  this.timeout(90_000);

  it('serves /metrics there (on 127.0.0.1 by default) and nothing else; the public port answers it 404; close() closes both', async () => {
    const server = await startTestGatehouse({ database: 'embedded', auth: 'embedded', env: { METRICS_PORT: '0' } });
    let closed = false;
    try {
      const api = new ApiClient(server.url);
      const metricsUrl = server.metricsUrl!;
      expect(metricsUrl).to.match(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      expect(metricsUrl).not.to.include(new URL(server.url).port);
      const publicly = await api.get('/metrics');
      expect(publicly.status).to.equal(404);
      expect(publicly.body.type).to.equal('/problems/not_found');
      for (let i = 0; i < 3; i++) expect((await api.get('/healthz')).status).to.equal(200);
      const scraped = await get(metricsUrl);
      expect('status' in scraped && scraped.status).to.equal(200);
      expect(countOf((scraped as { text: string }).text, '/healthz', 200)).to.equal(3); // the public port's requests, timed as before
      expect(countOf((scraped as { text: string }).text, 'unmatched', 404)).to.equal(1);
      expect(await get(metricsUrl.replace('/metrics', '/healthz'))).to.deep.include({ status: 404 });
      expect(await get(metricsUrl, 'POST')).to.deep.include({ status: 405 });
      await server.close();
      closed = true;
      expect(await get(metricsUrl)).to.deep.equal({ error: 'ECONNREFUSED' });
    } finally {
      if (!closed) await server.close();
    }
  });

  it('keeps /metrics on the public port when METRICS_PORT is unset; refuses METRICS_HOST alone and METRICS_PORT equal to PORT', () => {
    expect(loadConfig({}).metricsListener).to.equal(undefined);
    expect(loadConfig({ METRICS_PORT: '9464' }).metricsListener).to.deep.equal({ host: '127.0.0.1', port: 9464 });
    expect(loadConfig({ METRICS_PORT: '9464', METRICS_HOST: '0.0.0.0' }).metricsListener).to.deep.equal({ host: '0.0.0.0', port: 9464 });
    expect(() => loadConfig({ METRICS_HOST: '127.0.0.1' })).to.throw(/METRICS_HOST needs METRICS_PORT/);
    expect(() => loadConfig({ PORT: '8001', METRICS_PORT: '8001' })).to.throw(/METRICS_PORT=8001 is PORT too/);
    expect(() => loadConfig({ METRICS_PORT: '70000' })).to.throw(/METRICS_PORT/);
  });

  describe('with WORKERS=2, from `node src/main.ts`', () => {
    let child: ChildProcess | undefined;
    let drop: (() => Promise<void>) | undefined;
    before(async function () { requireService(this, await postgresAvailable(), 'PostgreSQL on 127.0.0.1:5432'); });
    after(async () => { child?.kill('SIGKILL'); await drop?.(); });

    it('answers every worker\'s metrics, summed, on the metrics port of whichever worker; SIGTERM closes it with the server', async () => {
      const db = await freshPostgresDatabase();
      drop = db.drop;
      const [port, metricsPort] = [await freePort(), await freePort()];
      child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
        env: { ...process.env, PORT: String(port), METRICS_PORT: String(metricsPort), DATABASE_URL: db.url, LOG_LEVEL: 'info', WORKERS: '2', RATE_LIMIT_ENABLED: 'false' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout!.on('data', (d) => { stdout += d; });
      child.stderr!.on('data', (d) => { stderr += d; });
      const listening = () => stdout.split('\n').filter((l) => l.includes('"gatehouse is listening"'));
      for (let i = 0; listening().length < 2; i++) {
        if (i > 300) throw new Error(`the workers did not start: ${stderr}`);
        await sleep(100);
      }
      expect(JSON.parse(listening()[0]!).metricsUrl).to.equal(`http://127.0.0.1:${metricsPort}/metrics`);
      for (let i = 0; i < 20; i++) {
        const res = await get(`http://127.0.0.1:${port}/healthz`);
        expect(res).to.deep.include({ status: 200 });
      }
      expect(await get(`http://127.0.0.1:${port}/metrics`)).to.deep.include({ status: 404 });
      for (let i = 0; i < 4; i++) {
        const scraped = await get(`http://127.0.0.1:${metricsPort}/metrics`);
        expect(scraped).to.deep.include({ status: 200 });
        const text = (scraped as { text: string }).text;
        expect(countOf(text, '/healthz', 200)).to.equal(20); // both workers' counts, whichever answered
      }
      child.kill('SIGTERM');
      const [code] = await once(child, 'exit');
      expect(code, stderr).to.equal(0);
      child = undefined;
      expect(await get(`http://127.0.0.1:${metricsPort}/metrics`)).to.deep.equal({ error: 'ECONNREFUSED' });
    });
  });
});
