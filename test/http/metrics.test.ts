import { expect } from 'chai';
import { ApiClient } from '../support/api-client.js';
import { requireService } from '../support/availability.js';
import { dotPeerAvailable } from '../support/dot-peer.js';
import { startTestGatehouse, type GatehouseUnderTest } from '../support/gatehouse.js';
import { postgresAvailable } from '../support/postgres.js';

/** `name{labels} value` lines of a scrape as a map; labels in the order prom-client writes them. */
function samples(text: string): Map<string, number> {
  const found = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^(\w+(?:\{.*\})?) (\S+)$/.exec(line);
    if (match) found.set(match[1]!, Number(match[2]));
  }
  return found;
}

async function scrape(api: ApiClient): Promise<Map<string, number>> {
  const res = await api.get('/metrics');
  expect(res.status).to.equal(200);
  expect(res.headers.get('content-type')).to.match(/^text\/plain; version=0\.0\.4/);
  return samples(res.text);
}

const requestCount = (route: string, method: string, status: number) =>
  `gatehouse_http_request_duration_seconds_count{route="${route}",method="${method}",status="${status}"}`;

describe('GET /metrics', function () {
  this.timeout(60_000);

  describe('with the embedded database and auth server', () => {
    let server: GatehouseUnderTest;
    let api: ApiClient;
    before(async () => {
      server = await startTestGatehouse({ database: 'embedded', auth: 'embedded' });
      api = new ApiClient(server.url);
    });
    after(async () => { await server?.close(); });

    it('counts requests per route template and status, never per raw path', async () => {
      const user = await api.newUser('metrics');
      const created = await api.post('/items/', { token: user.token, json: { name: 'metered lamp', description: '', price: '1.00' } });
      const before = await scrape(api);
      for (const path of [`/items/${created.body.id}/`, `/items/${created.body.id}`, '/items/99999/']) await api.get(path, { token: user.token });
      await api.get('/no/such/path/');
      const after = await scrape(api);
      const moved = (key: string) => (after.get(key) ?? 0) - (before.get(key) ?? 0);
      expect(moved(requestCount('/items/:id/', 'GET', 200))).to.equal(2);
      expect(moved(requestCount('/items/:id/', 'GET', 404))).to.equal(1);
      expect(moved(requestCount('unmatched', 'GET', 404))).to.equal(1);
      expect(after.get(requestCount('/items/', 'POST', 201))).to.equal(1);
      expect([...after.keys()].some((k) => k.includes(`/items/${created.body.id}`))).to.equal(false);
    });

    it('shows introspection cache hits, misses and negative hits, and database pool usage', async () => {
      const user = await api.newUser('cached');
      const before = await scrape(api);
      await api.get('/items/', { token: user.token }); // a miss, then hits
      await api.get('/items/', { token: user.token });
      await api.get('/items/', { token: 'junk-token-for-metrics' }); // a miss, then a negative hit
      await api.get('/items/', { token: 'junk-token-for-metrics' });
      const after = await scrape(api);
      const moved = (key: string) => (after.get(key) ?? 0) - (before.get(key) ?? 0);
      expect(moved('gatehouse_introspection_cache_hits_total')).to.be.at.least(1);
      expect(moved('gatehouse_introspection_cache_misses_total')).to.be.at.least(2);
      expect(moved('gatehouse_introspection_cache_negative_hits_total')).to.equal(1);
      expect(after.get('gatehouse_db_pool_connections')).to.be.at.least(1);
      expect(after.has('gatehouse_db_pool_waiting_requests')).to.equal(true);
      expect(after.has('process_resident_memory_bytes')).to.equal(true);
      expect(after.get('gatehouse_auth_server_call_duration_seconds_count{call="introspect",outcome="ok"}')).to.be.at.least(2);
    });
  });

  it('is a 404 with METRICS_ENABLED=false', async () => {
    const server = await startTestGatehouse({ database: 'embedded', auth: 'embedded', env: { METRICS_ENABLED: 'false' } });
    try {
      expect((await new ApiClient(server.url).get('/metrics')).status).to.equal(404);
    } finally {
      await server.close();
    }
  });

  describe('in front of Django OAuth Toolkit', () => {
    let server: GatehouseUnderTest;
    let api: ApiClient;
    before(async function () {
      requireService(this, await postgresAvailable(), 'PostgreSQL on 127.0.0.1:5432');
      requireService(this, dotPeerAvailable(), 'the Django OAuth Toolkit peer');
      server = await startTestGatehouse({
        database: 'postgres', auth: 'dot', env: { AUTH_TIMEOUT_MS: '1500', AUTH_BREAKER_FAILURES: '2', AUTH_BREAKER_FIRST_COOLDOWN_MS: '60000', AUTH_BREAKER_COOLDOWN_MS: '60000' },
      });
      api = new ApiClient(server.url);
    });
    after(async () => { await server?.close(); });

    it('counts auth server errors while it is down, and shows the breaker open', async () => {
      const user = await api.newUser('dot-metrics');
      const up = await scrape(api);
      expect(up.get('gatehouse_auth_breaker_state')).to.equal(0);
      expect(up.get('gatehouse_auth_server_call_duration_seconds_count{call="issueToken",outcome="ok"}')).to.be.at.least(1);
      await server.dot!.stop();
      try {
        for (const n of [1, 2, 3]) {
          expect((await api.get('/items/', { token: `never-seen-token-${n}` })).status).to.equal(503);
        }
        expect((await api.get('/items/', { token: user.token })).status).to.equal(503); // the open breaker answers: no call
        const down = await scrape(api);
        expect(down.get('gatehouse_auth_server_errors_total{call="introspect",error="auth_server_unavailable"}')).to.equal(2);
        expect(down.get('gatehouse_auth_breaker_state')).to.equal(2);
      } finally {
        await server.dot!.restart();
      }
    });
  });
});
