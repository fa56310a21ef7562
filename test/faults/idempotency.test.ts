import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { pino } from 'pino';
import { loadConfig } from '../../src/config.js';
import { startGatehouse, type RunningGatehouse } from '../../src/main.js';
import { ApiClient } from '../support/api-client.js';
import { requireService } from '../support/availability.js';
import { freshPostgresDatabase, postgresAvailable } from '../support/postgres.js';

/** Retries of POST /items/ with an Idempotency-Key, against instances sharing one real PostgreSQL. */
describe('Idempotency-Key on POST /items/', function () {
  this.timeout(60_000);
  let databaseUrl: string;
  let drop: () => Promise<void>;
  const running = new Set<RunningGatehouse>();
  let api: ApiClient;

  const start = async () => {
    const gatehouse = await startGatehouse(loadConfig({
      PORT: '0', HOST: '127.0.0.1', DATABASE_URL: databaseUrl, RATE_LIMIT_ENABLED: 'false',
    }), pino({ level: 'silent' }));
    running.add(gatehouse);
    return { gatehouse, api: new ApiClient(gatehouse.url) };
  };

  before(async function () {
    requireService(this, await postgresAvailable(), 'PostgreSQL on 127.0.0.1:5432');
    ({ url: databaseUrl, drop } = await freshPostgresDatabase());
    ({ api } = await start());
  });
  after(async () => {
    for (const g of running) await g.close();
    await drop?.();
  });

  const post = (client: ApiClient, token: string, key: string | undefined, json: unknown) =>
    client.post('/items/', { token, json, ...(key ? { headers: { 'Idempotency-Key': key } } : {}) });
  const mine = async (client: ApiClient, token: string) => (await client.get('/items/?owner=me&limit=100', { token })).body.results;

  it('answers a retry with the original 201 (body, Location, ETag) and creates nothing', async () => {
    const user = await api.newUser('retry');
    const key = randomUUID();
    const body = { name: `retry-${user.id}`, description: 'once', price: '3.50' };
    const first = await post(api, user.token, key, body);
    expect(first.status).to.equal(201);
    expect(first.headers.get('idempotent-replayed')).to.equal(null);
    // The item changes meanwhile: the replay is still the answer the first request got.
    expect((await api.patch(first.headers.get('location')!, { token: user.token, json: { price: '4.00' } })).status).to.equal(200);
    const retry = await post(api, user.token, key, { price: '3.50', description: 'once', name: body.name }); // key order differs
    expect(retry.status).to.equal(201);
    expect(retry.body).to.deep.equal(first.body);
    expect(retry.headers.get('location')).to.equal(first.headers.get('location'));
    expect(retry.headers.get('etag')).to.equal(first.headers.get('etag'));
    expect(retry.headers.get('idempotent-replayed')).to.equal('true');
    expect(await mine(api, user.token)).to.have.length(1);
  });

  it('answers 422 to the same key with a different body', async () => {
    const user = await api.newUser('reuse');
    const key = randomUUID();
    expect((await post(api, user.token, key, { name: `reuse-${user.id}`, description: '', price: '1' })).status).to.equal(201);
    const res = await post(api, user.token, key, { name: `reuse-${user.id}-b`, description: '', price: '1' });
    expect(res.status).to.equal(422);
    expect(res.body.type).to.equal('/problems/idempotency_key_reused');
    expect(await mine(api, user.token)).to.have.length(1);
  });

  it('keeps keys per user: another user\'s identical key and body create their own item', async () => {
    const alice = await api.newUser('alice');
    const bob = await api.newUser('bob');
    const key = randomUUID();
    expect((await post(api, alice.token, key, { name: `alice-${alice.id}`, description: '', price: '1' })).status).to.equal(201);
    const res = await post(api, bob.token, key, { name: `alice-${alice.id}`, description: '', price: '1' });
    expect(res.status).to.equal(409); // bob's own attempt, refused on the name: alice's answer is never replayed to him
    expect(res.body.type).to.equal('/problems/name_taken');
  });

  it('frees the key when the request fails, so a corrected retry runs', async () => {
    const user = await api.newUser('fails');
    const taken = `taken-${user.id}`;
    expect((await post(api, user.token, undefined, { name: taken, description: '', price: '1' })).status).to.equal(201);
    const key = randomUUID();
    const body = { name: taken, description: '', price: '2' };
    expect((await post(api, user.token, key, body)).status).to.equal(409);
    const items = await mine(api, user.token);
    expect((await api.delete(`/items/${items[0].id}/`, { token: user.token })).status).to.equal(204);
    expect((await post(api, user.token, key, body)).status).to.equal(201);
  });

  it('creates exactly one item for 10 concurrent requests with one key; the others get the replay or 409', async () => {
    const user = await api.newUser('race');
    const key = randomUUID();
    const body = { name: `race-${user.id}`, description: '', price: '1' };
    const results = await Promise.all(Array.from({ length: 10 }, () => post(api, user.token, key, body)));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201).length).to.be.at.least(1);
    expect(statuses.every((s) => s === 201 || s === 409)).to.equal(true);
    for (const conflict of results.filter((r) => r.status === 409)) {
      expect(conflict.body.type).to.equal('/problems/idempotency_key_in_use');
      expect(conflict.headers.get('retry-after')).to.equal('1');
    }
    expect(new Set(results.filter((r) => r.status === 201).map((r) => r.body.id)).size).to.equal(1);
    expect(await mine(api, user.token)).to.have.length(1);
    console.log(`      10 concurrent requests, one key: ${statuses.filter((s) => s === 201).length} × 201, ${statuses.filter((s) => s === 409).length} × 409`);
  });

  it('replays across instances and after a restart, since the keys live in PostgreSQL', async () => {
    const other = await start();
    const user = await api.newUser('restart');
    const key = randomUUID();
    const body = { name: `restart-${user.id}`, description: '', price: '9.99' };
    const first = await post(other.api, user.token, key, body);
    expect(first.status).to.equal(201);
    await other.gatehouse.close();
    running.delete(other.gatehouse);
    const elsewhere = await post(api, user.token, key, body);
    expect(elsewhere.status).to.equal(201);
    expect(elsewhere.body).to.deep.equal(first.body);
    const restarted = await start();
    const again = await post(restarted.api, user.token, key, body);
    expect(again.body).to.deep.equal(first.body);
    expect(again.headers.get('idempotent-replayed')).to.equal('true');
    expect(await mine(api, user.token)).to.have.length(1);
  });

  it('refuses a malformed key with 400 naming the header', async () => {
    const user = await api.newUser('badkey');
    const res = await post(api, user.token, 'x'.repeat(256), { name: `bad-${user.id}`, description: '', price: '1' });
    expect(res.status).to.equal(400);
    expect(res.body.errors).to.deep.equal([{ parameter: 'Idempotency-Key', message: 'must be 1 to 255 visible ASCII characters' }]);
  });
});
