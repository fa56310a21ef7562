import { expect } from 'chai';
import { ApiClient } from '../support/api-client.js';
import { requireService } from '../support/availability.js';
import { startTestGatehouse, type GatehouseUnderTest } from '../support/gatehouse.js';
import { postgresAvailable } from '../support/postgres.js';

describe('concurrent writers', function () {
  this.timeout(60_000);
  let server: GatehouseUnderTest;
  let api: ApiClient;
  let alice: Awaited<ReturnType<ApiClient['newUser']>>;
  let bob: Awaited<ReturnType<ApiClient['newUser']>>;

  before(async function () {
    requireService(this, await postgresAvailable(), 'PostgreSQL on 127.0.0.1:5432');
    server = await startTestGatehouse({ database: 'postgres', auth: 'embedded' });
    api = new ApiClient(server.url);
    alice = await api.newUser('alice');
    bob = await api.newUser('bob');
  });
  after(async () => { await server?.close(); });

  it('lets exactly one of ten racing creates of one name win: one 201, nine 409', async () => {
    const name = `race-${Date.now()}`;
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => api.post('/items/', {
      token: i % 2 ? alice.token : bob.token, json: { name, description: `writer ${i}`, price: '1' },
    })));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).to.deep.equal([201, ...Array(9).fill(409)]);
    const winner = results.find((r) => r.status === 201)!;
    expect((await api.get(`/items/${winner.body.id}/`, { token: alice.token })).body).to.deep.equal(winner.body);
  });

  it('lets exactly one of ten PATCHes with the same If-Match win: one 200, nine 412, no lost update', async () => {
    const created = await api.post('/items/', { token: alice.token, json: { name: `cas-${Date.now()}`, description: 'v1', price: '1' } });
    const etag = created.headers.get('etag')!;
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => api.patch(`/items/${created.body.id}/`, {
      token: alice.token, json: { description: `writer ${i}` }, headers: { 'If-Match': etag },
    })));
    expect(results.map((r) => r.status).sort()).to.deep.equal([200, ...Array(9).fill(412)]);
    const winner = results.find((r) => r.status === 200)!;
    const stored = await api.get(`/items/${created.body.id}/`, { token: alice.token });
    expect(stored.body.description).to.equal(winner.body.description);
    expect(stored.headers.get('etag')).to.equal(winner.headers.get('etag'));
  });
});
