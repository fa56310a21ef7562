import { expect } from 'chai';
import { ApiClient } from '../support/api-client.js';
import { requireService } from '../support/availability.js';
import { dotPeerAvailable } from '../support/dot-peer.js';
import { startTestGatehouse, type GatehouseUnderTest, type Mode } from '../support/gatehouse.js';
import { postgresAvailable } from '../support/postgres.js';
import { measureRetirements, percentile } from '../support/retirement-latency.js';

const LONG_CACHE = { INTROSPECTION_CACHE_TTL: '300' };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const status = async (api: ApiClient, token: string) => (await api.get('/items/?limit=1', { token })).status;

/** Two (or three) real instances on one PostgreSQL database, as behind a load balancer. */
function fleet(auth: Mode['auth']) {
  const started: GatehouseUnderTest[] = [];
  const state = { a: undefined as unknown as ApiClient, b: undefined as unknown as ApiClient, first: undefined as unknown as GatehouseUnderTest };
  before(async function () {
    requireService(this, await postgresAvailable(), 'PostgreSQL on 127.0.0.1:5432');
    if (auth === 'dot') requireService(this, dotPeerAvailable(), 'the Django OAuth Toolkit peer');
    state.first = await startTestGatehouse({ database: 'postgres', auth, env: LONG_CACHE });
    started.push(state.first);
    started.push(await startTestGatehouse({ database: 'postgres', auth, env: LONG_CACHE, join: { instance: state.first } }));
    [state.a, state.b] = started.map((g) => new ApiClient(g.url)) as [ApiClient, ApiClient];
  });
  after(async () => { for (const g of started.reverse()) await g.close(); });
  const another = async () => {
    const g = await startTestGatehouse({ database: 'postgres', auth, env: LONG_CACHE, join: { instance: state.first } });
    started.push(g);
    return new ApiClient(g.url);
  };
  return { state, another };
}

describe('retirement reaches every instance: embedded auth server, two instances', function () {
  this.timeout(180_000);
  const { state } = fleet('embedded');

  it('refuses on B, within 100 ms at p99 over 200 retirements, a token A retired while B had it cached for 300 s', async () => {
    const latencies = await measureRetirements(state.a, state.b, 'embedded');
    expect(percentile(latencies, 99)).to.be.below(100);
  });

  it('revokes a family on every instance when a rotated refresh token comes back to another instance after the grace', async () => {
    const { a, b } = state;
    const user = await a.newUser('reuse');
    const next = (await a.post('/users/token/refresh/', { json: { refresh: user.refresh } })).body;
    for (const api of [a, b]) expect(await status(api, next.access_token)).to.equal(200);
    await sleep(5_200);
    const replay = await b.post('/users/token/refresh/', { json: { refresh: user.refresh } });
    expect(replay.status).to.equal(400);
    expect(replay.body.error).to.equal('invalid_grant');
    await sleep(50);
    for (const api of [a, b]) expect(await status(api, next.access_token)).to.equal(401);
    expect((await a.post('/users/token/refresh/', { json: { refresh: next.refresh_token } })).status).to.equal(400);
  });

  it('detects the same reuse at the token endpoint (grant_type=refresh_token) as at the refresh route', async () => {
    const { a, b } = state;
    const user = await a.newUser('reuse-token-endpoint');
    const grant = (refresh_token: string) => ({ form: { grant_type: 'refresh_token', refresh_token } });
    const next = (await a.post('/users/token/', grant(user.refresh))).body;
    expect(await status(b, next.access_token)).to.equal(200);
    await sleep(5_200);
    const replay = await b.post('/users/token/', grant(user.refresh));
    expect(replay.body.error).to.equal('invalid_grant');
    await sleep(50);
    for (const api of [a, b]) expect(await status(api, next.access_token)).to.equal(401);
    expect((await a.post('/users/token/', grant(next.refresh_token))).body.error).to.equal('invalid_grant');
  });

  it('refuses on B at once what was revoked through A (RFC 7009), an access token or a refresh token\'s whole family', async () => {
    const { a, b } = state;
    const user = await a.newUser('revoke-fleet');
    expect(await status(b, user.token)).to.equal(200); // cached on B for 300 s
    expect((await a.post('/users/token/revoke/', { form: { token: user.token } })).status).to.equal(200);
    await sleep(50);
    expect(await status(b, user.token)).to.equal(401);
    const other = await a.newUser('revoke-family');
    const next = (await b.post('/users/token/', { form: { grant_type: 'refresh_token', refresh_token: other.refresh } })).body;
    expect(await status(b, next.access_token)).to.equal(200);
    expect((await a.post('/users/token/revoke/', { form: { token: other.refresh, token_type_hint: 'refresh_token' } })).status).to.equal(200); // a rotated one
    await sleep(50);
    expect(await status(b, next.access_token)).to.equal(401);
    expect((await b.post('/users/token/', { form: { grant_type: 'refresh_token', refresh_token: next.refresh_token } })).body.error).to.equal('invalid_grant');
  });

  it('answers one of two refreshes racing on one token from two instances, and keeps the family', async () => {
    const { a, b } = state;
    for (let round = 0; round < 10; round++) {
      const user = await a.newUser('race');
      const answers = await Promise.all([a, b].map((api) => api.post('/users/token/refresh/', { json: { refresh: user.refresh } })));
      expect(answers.map((r) => r.status).sort()).to.deep.equal([200, 400]);
      const won = answers.find((r) => r.status === 200)!.body;
      await sleep(20);
      for (const api of [a, b]) expect(await status(api, won.access_token)).to.equal(200);
    }
  });
});

describe('retirement reaches every instance: in front of Django OAuth Toolkit, two instances', function () {
  this.timeout(240_000);
  const { state, another } = fleet('dot');

  it('refuses on B, within 100 ms at p99 over 200 retirements, a token A retired while B had it cached for 300 s', async () => {
    const latencies = await measureRetirements(state.a, state.b, 'DOT');
    expect(percentile(latencies, 99)).to.be.below(100);
  });

  it('stops every token of the account any instance has seen when the password changes on one, except one DOT issued that none has', async () => {
    const { a, b } = state;
    const user = await a.newUser('reach'); // signed in through A; used on A only
    const signIn = async (api: ApiClient) => (await api.post('/users/token/', { json: { email: user.email, password: user.password } })).body;
    const seenOnB = await signIn(b);
    const neverUsed = await signIn(a);
    const atDot = await dotToken(state.first, user.email, user.password); // straight from DOT: Gatehouse never sees it before the change
    expect(await status(a, user.token)).to.equal(200);
    expect(await status(b, seenOnB.access_token)).to.equal(200);
    const next = 'a brand new passphrase';
    const change = await a.put('/users/password/', { token: user.token, json: { old_password: user.password, password: next, password2: next } });
    expect(change.status).to.equal(204);
    const c = await another(); // a third instance, its cache empty: only the ledger can refuse these
    for (const api of [a, b, c]) {
      for (const token of [user.token, seenOnB.access_token, neverUsed.access_token]) expect(await status(api, token)).to.equal(401);
    }
    for (const refresh of [seenOnB.refresh_token, neverUsed.refresh_token]) {
      const res = await c.post('/users/token/refresh/', { json: { refresh } });
      expect(res.status).to.equal(400);
      expect(res.body.error).to.equal('invalid_grant');
    }
    // What it cannot reach: DOT 1.7 keeps this token valid, and no instance saw it before the change.
    for (const api of [a, b, c]) expect(await status(api, atDot)).to.equal(200);
  });

  it('refuses on every instance an access token a refresh through another instance replaced, wherever its pair was issued', async () => {
    const { a, b } = state;
    const user = await b.newUser('moved'); // issued through B
    expect(await status(b, user.token)).to.equal(200);
    const next = await a.post('/users/token/refresh/', { json: { refresh: user.refresh } }); // refreshed through A
    expect(next.status).to.equal(200);
    await sleep(50);
    expect(await status(b, user.token)).to.equal(401);
    expect(await status(b, next.body.access_token)).to.equal(200);
  });
});

async function dotToken(instance: GatehouseUnderTest, email: string, password: string): Promise<string> {
  const dot = instance.dot!;
  const res = await fetch(`${dot.url}/o/token/`, {
    method: 'POST',
    headers: { Authorization: `Basic ${Buffer.from(`${dot.clientId}:${dot.clientSecret}`).toString('base64')}`, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'password', username: email, password, scope: 'read write' }),
  });
  const body = await res.json() as { access_token?: string };
  if (!body.access_token) throw new Error(`DOT issued no token: ${res.status} ${JSON.stringify(body)}`);
  return body.access_token;
}
