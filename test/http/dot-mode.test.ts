import { expect } from 'chai';
import { ApiClient } from '../support/api-client.js';
import { requireService } from '../support/availability.js';
import { dotPeerAvailable } from '../support/dot-peer.js';
import { startTestGatehouse, type GatehouseUnderTest } from '../support/gatehouse.js';
import { postgresAvailable } from '../support/postgres.js';
import { proofByKey, unacceptableProofKeys } from '../support/dpop.js';

/** What only the DOT deployment shows: introspection calls counted at the real server, and its faults. */
describe('Gatehouse in front of Django OAuth Toolkit', function () {
  this.timeout(120_000);
  let server: GatehouseUnderTest;
  let api: ApiClient;

  before(async function () {
    requireService(this, await postgresAvailable(), 'PostgreSQL on 127.0.0.1:5432');
    requireService(this, dotPeerAvailable(), 'the Django OAuth Toolkit peer');
    server = await startTestGatehouse({ database: 'postgres', auth: 'dot', env: { AUTH_TIMEOUT_MS: '1500' } });
    api = new ApiClient(server.url);
  });
  after(async () => { await server?.close(); });

  const introspections = () => server.dot!.introspectionCalls();

  it('makes one introspection call for 50 concurrent requests with a new token, and none once it is warm', async () => {
    const user = await api.newUser('flight');
    const before = introspections();
    const cold = await Promise.all(Array.from({ length: 50 }, () => api.get('/items/?limit=1', { token: user.token })));
    expect(cold.map((r) => r.status)).to.deep.equal(Array(50).fill(200));
    expect(introspections() - before).to.equal(1);
    const warmStart = introspections();
    for (let i = 0; i < 1000; i++) expect((await api.get('/items/?limit=1', { token: user.token })).status).to.equal(200);
    const perThousandWarm = introspections() - warmStart;
    console.log(`      introspection calls for 1,000 requests with a warm token: ${perThousandWarm}`);
    expect(perThousandWarm).to.equal(0);
  });

  it('refuses a DPoP proof whose jwk has a shape it does not accept, naming what is wrong, before asking DOT about the token', async () => {
    const user = await api.newUser('dpop-shapes');
    const itemsUrl = new URL('/items/', server.url);
    const before = introspections();
    for (const unacceptable of await unacceptableProofKeys()) {
      const res = await api.get('/items/', { headers: { Authorization: `DPoP ${user.token}`, DPoP: proofByKey(unacceptable, { method: 'GET', url: itemsUrl, token: user.token }) } });
      expect(res.status, `${unacceptable.what}: ${res.text}`).to.equal(401);
      expect(res.body.type).to.equal('/problems/invalid_dpop_proof');
      expect(res.body.detail, unacceptable.what).to.match(unacceptable.reason);
    }
    expect(introspections() - before).to.equal(0);
  });

  it('caches a junk token\'s rejection briefly, so repeating it does not reach the auth server again', async () => {
    const before = introspections();
    for (let i = 0; i < 20; i++) expect((await api.get('/items/', { token: 'junk-token-for-the-negative-cache' })).status).to.equal(401);
    expect(introspections() - before).to.equal(1);
  });

  it('mirrors a user once even when their first requests arrive together', async () => {
    const user = await api.newUser('mirror');
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => api.post('/items/', {
      token: user.token, json: { name: `mirror-${user.id}-${i}`, description: '', price: '1' },
    })));
    expect(new Set(results.map((r) => r.body.user.id))).to.deep.equal(new Set([user.id]));
  });

  it('refuses a revoked-at-the-server refresh token with 400 invalid_grant instead of DOT\'s HTML 500', async () => {
    const user = await api.newUser('revoked');
    const next = 'a brand new password';
    // The password change revokes the access token at DOT; its refresh token then trips DOT 1.7's bug.
    expect((await api.put('/users/password/', { token: user.token, json: { old_password: user.password, password: next, password2: next } })).status).to.equal(204);
    const res = await api.post('/users/token/refresh/', { json: { refresh: user.refresh } });
    expect(res.status).to.equal(400);
    expect(res.body.error).to.equal('invalid_grant');
    expect(res.text).not.to.match(/<html/i);
  });

  it('answers 503 with Retry-After within the timeout while DOT is down, keeps every item, and resumes when it is back', async () => {
    const user = await api.newUser('outage');
    const created = [];
    for (let i = 0; i < 5; i++) {
      created.push((await api.post('/items/', { token: user.token, json: { name: `outage-${user.id}-${i}`, description: 'kept', price: `${i}.25` } })).body);
    }
    await server.dot!.stop();
    try {
      const fresh = await api.post('/users/token/', { json: { email: user.email, password: user.password } });
      expect(fresh.status).to.equal(503);
      expect(fresh.body.error).to.equal('temporarily_unavailable');
      const started = Date.now();
      const res = await api.get('/items/', { token: 'a-token-gatehouse-has-never-seen' });
      expect(res.status).to.equal(503);
      expect(res.headers.get('retry-after')).to.match(/^\d+$/);
      expect(Date.now() - started).to.be.lessThan(1500 + 1000);
      expect((await api.get('/readyz')).status).to.equal(503);
      // A warm token keeps working: reads do not need the auth server.
      expect((await api.get('/items/?owner=me', { token: user.token })).body.results).to.deep.equal(created);
    } finally {
      await server.dot!.restart();
    }
    expect((await api.get('/readyz')).status).to.equal(200);
    const again = await api.post('/users/token/', { json: { email: user.email, password: user.password } });
    expect(again.status).to.equal(200);
    expect((await api.get('/items/?owner=me', { token: again.body.access_token })).body.results).to.deep.equal(created);
  });

  it('never writes a token, password or the client secret into its logs', async () => {
    const user = await api.newUser('logs');
    await api.get('/items/', { token: user.token });
    const logs = server.logs.join('\n');
    expect(logs.length).to.be.greaterThan(0);
    for (const secret of [user.token, user.refresh, user.password, server.dot!.clientSecret]) expect(logs).not.to.include(secret);
  });
});

describe('Gatehouse in front of Django OAuth Toolkit with short-lived tokens', function () {
  this.timeout(60_000);
  let server: GatehouseUnderTest;
  let api: ApiClient;

  before(async function () {
    requireService(this, await postgresAvailable(), 'PostgreSQL on 127.0.0.1:5432');
    requireService(this, dotPeerAvailable(), 'the Django OAuth Toolkit peer');
    server = await startTestGatehouse({ database: 'postgres', auth: 'dot', dotEnv: { ACCESS_TOKEN_EXPIRE_SECONDS: '2' } });
    api = new ApiClient(server.url);
  });
  after(async () => { await server?.close(); });

  it('rejects a cached token once its exp has passed, without asking the auth server again', async () => {
    const user = await api.newUser('expiry');
    const before = server.dot!.introspectionCalls();
    expect((await api.get('/items/', { token: user.token })).status).to.equal(200);
    expect(server.dot!.introspectionCalls() - before).to.equal(1);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const res = await api.get('/items/', { token: user.token });
    expect(res.status).to.equal(401);
    expect(res.headers.get('www-authenticate')).to.include('error="invalid_token"');
    expect(server.dot!.introspectionCalls() - before).to.equal(1);
  });
});
