import { expect } from 'chai';
import { pino } from 'pino';
import { loadConfig } from '../../src/config.js';
import { startGatehouse, type RunningGatehouse } from '../../src/main.js';
import { ApiClient } from '../support/api-client.js';
import { requireService } from '../support/availability.js';
import { freshPostgresDatabase, postgresAvailable } from '../support/postgres.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

describe('the database goes away and comes back', function () {
  this.timeout(60_000);
  let proxy: TcpProxy;
  let running: RunningGatehouse;
  let drop: () => Promise<void>;
  let api: ApiClient;

  before(async function () {
    requireService(this, await postgresAvailable(), 'PostgreSQL on 127.0.0.1:5432');
    const db = await freshPostgresDatabase();
    drop = db.drop;
    proxy = await startTcpProxy(5432);
    const url = new URL(db.url);
    url.port = String(proxy.port);
    running = await startGatehouse(loadConfig({ PORT: '0', DATABASE_URL: url.toString() }), pino({ level: 'silent' }));
    api = new ApiClient(running.url);
  });
  after(async () => {
    await running?.close();
    await proxy?.close();
    await drop?.();
  });

  it('answers 503 problem+json quickly while it is down, never 500, stores nothing it acknowledged, and resumes without a restart', async () => {
    const user = await api.newUser('outage');
    const acknowledged: any[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await api.post('/items/', { token: user.token, json: { name: `db-outage-${user.id}-${i}`, description: 'kept', price: '1' } });
      expect(res.status).to.equal(201);
      acknowledged.push(res.body);
    }

    await proxy.cut();
    const started = Date.now();
    const during = await Promise.all([
      api.get('/items/', { token: user.token }),
      api.post('/items/', { token: user.token, json: { name: `db-outage-${user.id}-lost`, description: '', price: '1' } }),
      api.get(`/items/${acknowledged[0].id}/`, { token: user.token }),
    ]);
    expect(during.map((r) => r.status)).to.deep.equal([503, 503, 503]);
    for (const r of during) {
      expect(r.headers.get('content-type')).to.match(/^application\/problem\+json/);
      expect(r.headers.get('retry-after')).to.match(/^\d+$/);
    }
    expect(Date.now() - started).to.be.lessThan(6_000);
    const ready = await api.get('/readyz');
    expect(ready.status).to.equal(503);
    expect(ready.body.checks.database).to.equal('down');

    await proxy.restore();
    const after = await api.get('/items/?owner=me', { token: user.token });
    expect(after.status).to.equal(200);
    expect(after.body.results).to.deep.equal(acknowledged); // every 201 is there, the 503 write is not
    expect((await api.get('/readyz')).status).to.equal(200);
  });
});
