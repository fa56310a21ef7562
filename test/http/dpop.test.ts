import { expect } from 'chai';
import { pino } from 'pino';
import pg from 'pg';
import { createHash } from 'node:crypto';
import { exportJWK, SignJWT } from 'jose';
import { loadConfig } from '../../src/config.js';
import { startGatehouse, type RunningGatehouse } from '../../src/main.js';
import { ApiClient, type ApiResponse } from '../support/api-client.js';
import { requireService } from '../support/availability.js';
import { redisAvailable } from '../support/redis.js';
import { DpopApiClient, newDpopKey, proof, proofByKey, unacceptableProofKeys, type DpopKey } from '../support/dpop.js';
import { freshPostgresDatabase, postgresAvailable } from '../support/postgres.js';
import { itemEndpointsSuite } from './items-suite.js';

const PASSWORD = 'correct horse battery';
const { Client } = pg;


/** Two Gatehouse instances on one PostgreSQL database, as behind a load balancer. */
async function twoInstances(env: Record<string, string> = {}) {
  const db = await freshPostgresDatabase();
  const logs: string[] = [];
  const start = () => startGatehouse(loadConfig({
    PORT: '0', HOST: '127.0.0.1', DATABASE_URL: db.url, RATE_LIMIT_ENABLED: 'false', LOG_LEVEL: 'warn', PASSWORD_HASH_COST: '12', ...env,
  }), pino({ level: 'warn' }, { write: (line: string) => { logs.push(line); } }));
  const a: RunningGatehouse = await start();
  const b: RunningGatehouse = await start();
  return { a, b, logs, databaseUrl: db.url, close: async () => { await a.close(); await b.close(); await db.drop(); } };
}

/** Signs up and gets a pair, bound to `key` when given. */
async function account(api: ApiClient, key?: DpopKey) {
  const email = `dpop-${Math.random().toString(36).slice(2, 10)}@example.com`;
  expect((await api.post('/users/signup/', { json: { email, password: PASSWORD, password2: PASSWORD } })).status).to.equal(201);
  const url = new URL('/users/token/', api.baseUrl);
  const res = await api.post('/users/token/', { json: { email, password: PASSWORD }, headers: key ? { DPoP: await proof(key, { method: 'POST', url }) } : {} });
  expect(res.status, res.text).to.equal(200);
  return { email, token: res.body.access_token as string, refresh: res.body.refresh_token as string, tokenType: res.body.token_type as string };
}

/** A GET of /items/ with whatever Authorization and DPoP headers a test makes up. */
const getItems = (api: ApiClient, headers: Record<string, string>) => api.get('/items/', { headers });

function expectDpopRefusal(res: ApiResponse, error: 'invalid_dpop_proof' | 'invalid_token'): void {
  expect(res.status, res.text).to.equal(401);
  expect(res.body.type).to.equal(`/problems/${error}`);
  const challenge = res.headers.get('www-authenticate') ?? '';
  expect(challenge).to.match(new RegExp(`DPoP realm="gatehouse", error="${error}", error_description="[^"]+", algs="ES256 ES384 RS256 PS256 EdDSA"`));
}

describe('DPoP: sender-constrained tokens (RFC 9449) with the embedded authorization server', function () {
  this.timeout(60_000);
  let servers: Awaited<ReturnType<typeof twoInstances>>;
  let api: ApiClient;
  let other: ApiClient;
  let key: DpopKey;
  let bound: Awaited<ReturnType<typeof account>>;
  let itemsUrl: URL;

  before(async function () {
    requireService(this, await postgresAvailable(), 'PostgreSQL on 127.0.0.1:5432');
    servers = await twoInstances();
    api = new ApiClient(servers.a.url);
    other = new ApiClient(servers.b.url);
    key = await newDpopKey();
    bound = await account(api, key);
    itemsUrl = new URL('/items/', servers.a.url);
  });
  after(async () => { await servers?.close(); });

  const dpopHeaders = async (options: Parameters<typeof proof>[1], token = bound.token, signer = key) =>
    ({ Authorization: `DPoP ${token}`, DPoP: await proof(signer, options) });

  it('binds a pair to the key of the proof sent to the token endpoint, and serves it with a proof by that key', async () => {
    expect(bound.tokenType).to.equal('DPoP');
    const res = await getItems(api, await dpopHeaders({ method: 'GET', url: itemsUrl, token: bound.token }));
    expect(res.status, res.text).to.equal(200);
    const created = await api.post('/items/', { json: { name: 'bound lamp', description: '', price: '1' },
      headers: await dpopHeaders({ method: 'POST', url: itemsUrl, token: bound.token }) });
    expect(created.status, created.text).to.equal(201);
  });

  it('issues a bearer pair without a proof, and lets it work as Bearer only', async () => {
    const plain = await account(api);
    expect(plain.tokenType).to.equal('Bearer');
    expect((await api.get('/items/', { token: plain.token })).status).to.equal(200);
    expectDpopRefusal(await getItems(api, await dpopHeaders({ method: 'GET', url: itemsUrl, token: plain.token }, plain.token)), 'invalid_token');
  });

  it('refuses a bound token sent as Bearer: what a thief without the key would send', async () => {
    const res = await api.get('/items/', { token: bound.token });
    expect(res.status).to.equal(401);
    expect(res.headers.get('www-authenticate')).to.match(/^Bearer realm="gatehouse", error="invalid_token"/);
  });

  it('refuses each way a proof can be wrong, with invalid_dpop_proof on the DPoP challenge', async () => {
    const thief = await newDpopKey();
    const privateJwk = await exportJWK(key.privateKey); // the key's private half, `d` included
    const now = Math.floor(Date.now() / 1000);
    const cases: [string, Record<string, string>][] = [
      ['another key', await dpopHeaders({ method: 'GET', url: itemsUrl, token: bound.token }, bound.token, thief)],
      ['another method', await dpopHeaders({ method: 'POST', url: itemsUrl, token: bound.token })],
      ['another URL', await dpopHeaders({ method: 'GET', url: new URL('/items/1/', servers.a.url), token: bound.token })],
      ['another host', await dpopHeaders({ method: 'GET', url: 'https://evil.example/items/', token: bound.token })],
      ['no ath', await dpopHeaders({ method: 'GET', url: itemsUrl })],
      ['the ath of another token', await dpopHeaders({ method: 'GET', url: itemsUrl, token: 'another token' })],
      ['a stale iat', await dpopHeaders({ method: 'GET', url: itemsUrl, token: bound.token, iat: now - 120 })],
      ['an iat in the future', await dpopHeaders({ method: 'GET', url: itemsUrl, token: bound.token, iat: now + 120 })],
      ['no jti', await dpopHeaders({ method: 'GET', url: itemsUrl, token: bound.token, omit: ['jti'] })],
      ['another typ', await dpopHeaders({ method: 'GET', url: itemsUrl, token: bound.token, header: { typ: 'JWT' } })],
      ['a private key in the header', await dpopHeaders({ method: 'GET', url: itemsUrl, token: bound.token, header: { jwk: privateJwk } })],
      ['alg none', { Authorization: `DPoP ${bound.token}`, DPoP: unsigned({ typ: 'dpop+jwt', alg: 'none', jwk: key.publicJwk }, bound.token, itemsUrl) }],
      ['HS256', { Authorization: `DPoP ${bound.token}`, DPoP: await hs256(bound.token, itemsUrl, key) }],
      ['no proof at all', { Authorization: `DPoP ${bound.token}` }],
      ['two proofs', { Authorization: `DPoP ${bound.token}`, DPoP: `${await proof(key, { method: 'GET', url: itemsUrl, token: bound.token })}, x` }],
    ];
    for (const [what, headers] of cases) {
      const res = await getItems(api, headers);
      expect(res.status, `${what}: ${res.text}`).to.equal(401);
      expectDpopRefusal(res, 'invalid_dpop_proof');
    }
  });

  it('refuses a proof whose jwk is private, of a size or exponent it will not check, or off its curve, saying what is wrong', async () => {
    const tokenUrl = new URL('/users/token/', servers.a.url);
    for (const key of await unacceptableProofKeys()) {
      const atResource = await getItems(api, { Authorization: `DPoP ${bound.token}`, DPoP: proofByKey(key, { method: 'GET', url: itemsUrl, token: bound.token }) });
      expectDpopRefusal(atResource, 'invalid_dpop_proof');
      expect(atResource.body.detail, key.what).to.match(key.reason);
      const atTokenEndpoint = await api.post('/users/token/', { json: { email: bound.email, password: PASSWORD },
        headers: { DPoP: proofByKey(key, { method: 'POST', url: tokenUrl }) } });
      expect(atTokenEndpoint.status, `${key.what}: ${atTokenEndpoint.text}`).to.equal(400);
      expect(atTokenEndpoint.body.error).to.equal('invalid_dpop_proof');
      expect(atTokenEndpoint.body.error_description, key.what).to.match(key.reason);
    }
  });

  it('names the URL it expected when a proof is for another one', async () => {
    const res = await getItems(api, await dpopHeaders({ method: 'GET', url: new URL('/items/1/', servers.a.url), token: bound.token }));
    expectDpopRefusal(res, 'invalid_dpop_proof');
    expect(res.body.detail).to.equal(`the proof's htu is not this request's URL (expected ${new URL('/items/', servers.a.url).href})`);
  });

  it('writes no jti for a proof that comes with a token that is not good (300 junk tokens, each with its own proof)', async () => {
    const attacker = await newDpopKey();
    const keys: string[] = [];
    for (let batch = 0; batch < 30; batch++) {
      const answers = await Promise.all(Array.from({ length: 10 }, async (_, i) => {
        const junk = `junk-${batch}-${i}-${Math.random().toString(36).slice(2)}`;
        const jti = `junk-jti-${batch}-${i}-${Math.random().toString(36).slice(2)}`;
        keys.push(sha256(`${attacker.jkt}.${jti}`));
        return getItems(api, { Authorization: `DPoP ${junk}`, DPoP: await proof(attacker, { method: 'GET', url: itemsUrl, token: junk, jti }) });
      }));
      for (const res of answers) expectDpopRefusal(res, 'invalid_token');
    }
    expect(await jtiRows(servers.databaseUrl, keys)).to.equal(0);
    const jti = `good-${Math.random().toString(36).slice(2)}`; // and the count does find a proof that was spent
    expect((await getItems(api, await dpopHeaders({ method: 'GET', url: itemsUrl, token: bound.token, jti }))).status).to.equal(200);
    expect(await jtiRows(servers.databaseUrl, [sha256(`${key.jkt}.${jti}`)])).to.equal(1);
  });

  it('checks a proof\'s signature at the token endpoints only once the credentials are good: with a wrong password or refresh token, a forged one is the grant\'s refusal and writes no jti', async () => {
    const thief = await newDpopKey();
    const tokenUrl = new URL('/users/token/', servers.a.url);
    const forged = async (jti: string) => proof(thief, { method: 'POST', url: tokenUrl, jti, header: { jwk: key.publicJwk } });
    const spentJtis = ['forged-password', 'forged-refresh'].map((what) => `${what}-${Math.random().toString(36).slice(2)}`);
    const wrongPassword = await api.post('/users/token/', { json: { email: bound.email, password: 'not the password' }, headers: { DPoP: await forged(spentJtis[0]!) } });
    expect(wrongPassword.status, wrongPassword.text).to.equal(400);
    expect(wrongPassword.body.error).to.equal('invalid_grant');
    const junkRefresh = await api.post('/users/token/', { form: { grant_type: 'refresh_token', refresh_token: 'junk-refresh-token' }, headers: { DPoP: await forged(spentJtis[1]!) } });
    expect(junkRefresh.status, junkRefresh.text).to.equal(400);
    expect(junkRefresh.body.error).to.equal('invalid_grant');
    expect(await jtiRows(servers.databaseUrl, spentJtis.map((jti) => sha256(`${key.jkt}.${jti}`)))).to.equal(0);
    // With the right password, the same forgery is checked, and refused.
    const rightPassword = await api.post('/users/token/', { json: { email: bound.email, password: PASSWORD }, headers: { DPoP: await forged('forged-right') } });
    expect(rightPassword.status, rightPassword.text).to.equal(400);
    expect(rightPassword.body.error).to.equal('invalid_dpop_proof');
    expect(rightPassword.body.error_description).to.match(/not a JWT signed by the key in its header/);
  });

  it('refuses a proof replayed on another instance: jtis are shared through PostgreSQL', async () => {
    const headers = await dpopHeaders({ method: 'GET', url: itemsUrl, token: bound.token });
    expect((await getItems(api, headers)).status).to.equal(200);
    // The same proof at the other instance (whose PUBLIC_URL differs: give it a proof for its URL, same jti)
    const jti = 'replayed-jti-1';
    const first = await dpopHeaders({ method: 'GET', url: itemsUrl, token: bound.token, jti });
    expect((await getItems(api, first)).status).to.equal(200);
    const replay = await dpopHeaders({ method: 'GET', url: new URL('/items/', servers.b.url), token: bound.token, jti });
    expectDpopRefusal(await getItems(other, replay), 'invalid_dpop_proof');
    expectDpopRefusal(await getItems(api, first), 'invalid_dpop_proof'); // and on the first instance, of course
  });

  it('refreshes a bound pair only with a proof by the same key, and keeps it bound', async () => {
    const refreshUrl = new URL('/users/token/refresh/', servers.a.url);
    const without = await api.post('/users/token/refresh/', { json: { refresh: bound.refresh } });
    expect(without.status).to.equal(400);
    expect(without.body.error).to.equal('invalid_grant');
    const thief = await newDpopKey();
    const stolen = await api.post('/users/token/refresh/', { json: { refresh: bound.refresh }, headers: { DPoP: await proof(thief, { method: 'POST', url: refreshUrl }) } });
    expect(stolen.body.error).to.equal('invalid_grant');
    const right = await api.post('/users/token/refresh/', { json: { refresh: bound.refresh }, headers: { DPoP: await proof(key, { method: 'POST', url: refreshUrl }) } });
    expect(right.status, right.text).to.equal(200); // the refused attempts did not spend the refresh token
    expect(right.body.token_type).to.equal('DPoP');
    expect((await getItems(api, await dpopHeaders({ method: 'GET', url: itemsUrl, token: right.body.access_token }, right.body.access_token))).status).to.equal(200);
    bound = { ...bound, token: right.body.access_token, refresh: right.body.refresh_token };
  });

  it('refreshes a bound pair at the token endpoint (grant_type=refresh_token) only with a proof by the same key for that URL', async () => {
    const tokenUrl = new URL('/users/token/', servers.a.url);
    const grant = { grant_type: 'refresh_token', refresh_token: bound.refresh };
    expect((await api.post('/users/token/', { form: grant })).body.error).to.equal('invalid_grant');
    const thief = await newDpopKey();
    expect((await api.post('/users/token/', { form: grant, headers: { DPoP: await proof(thief, { method: 'POST', url: tokenUrl }) } })).body.error).to.equal('invalid_grant');
    const elsewhere = await api.post('/users/token/', { form: grant, headers: { DPoP: await proof(key, { method: 'POST', url: new URL('/users/token/refresh/', servers.a.url) }) } });
    expect(elsewhere.body.error).to.equal('invalid_dpop_proof'); // htu names the URL the proof was made for
    const right = await api.post('/users/token/', { form: grant, headers: { DPoP: await proof(key, { method: 'POST', url: tokenUrl }) } });
    expect(right.status, right.text).to.equal(200);
    expect(right.body.token_type).to.equal('DPoP');
    bound = { ...bound, token: right.body.access_token, refresh: right.body.refresh_token };
  });

  it('answers a bad proof at the token endpoint with 400 invalid_dpop_proof in the OAuth shape', async () => {
    const res = await api.post('/users/token/', { json: { email: bound.email, password: PASSWORD },
      headers: { DPoP: await proof(key, { method: 'GET', url: new URL('/users/token/', servers.a.url) }) } });
    expect(res.status).to.equal(400);
    expect(res.body.error).to.equal('invalid_dpop_proof');
    expect(res.headers.get('www-authenticate')).to.equal(null);
  });

  it('lists the DPoP algorithms in the RFC 9728 metadata, and puts a DPoP challenge beside the Bearer one', async () => {
    const metadata = await api.get('/.well-known/oauth-protected-resource');
    expect(metadata.body).to.include({ dpop_bound_access_tokens_required: false });
    expect(metadata.body.dpop_signing_alg_values_supported).to.deep.equal(['ES256', 'ES384', 'RS256', 'PS256', 'EdDSA']);
    const challenge = (await api.get('/items/')).headers.get('www-authenticate');
    expect(challenge).to.match(/^Bearer realm="gatehouse", resource_metadata="[^"]+", DPoP realm="gatehouse", algs="ES256 ES384 RS256 PS256 EdDSA", resource_metadata="[^"]+"$/);
  });
});

describe('DPoP jtis in Redis when REDIS_URL is set', function () {
  this.timeout(60_000);
  let servers: Awaited<ReturnType<typeof twoInstances>>;

  before(async function () {
    requireService(this, await postgresAvailable(), 'PostgreSQL on 127.0.0.1:5432');
    requireService(this, await redisAvailable(), 'Redis on 127.0.0.1:6379');
    servers = await twoInstances({ REDIS_URL: 'redis://127.0.0.1:6379' });
  });
  after(async () => { await servers?.close(); });

  it('refuses a jti replayed on the other instance, and keeps none in PostgreSQL', async () => {
    const key = await newDpopKey();
    const api = new ApiClient(servers.a.url);
    const { token } = await account(api, key);
    const jti = `redis-${Math.random().toString(36).slice(2)}`;
    const at = (server: RunningGatehouse) => new URL('/items/', server.url);
    const first = await getItems(api, { Authorization: `DPoP ${token}`, DPoP: await proof(key, { method: 'GET', url: at(servers.a), token, jti }) });
    expect(first.status, first.text).to.equal(200);
    const replay = await getItems(new ApiClient(servers.b.url), { Authorization: `DPoP ${token}`, DPoP: await proof(key, { method: 'GET', url: at(servers.b), token, jti }) });
    expectDpopRefusal(replay, 'invalid_dpop_proof');
    const pg = new Client({ connectionString: servers.databaseUrl });
    await pg.connect();
    try {
      expect((await pg.query('select count(*)::int as n from dpop_proof_jtis')).rows[0].n).to.equal(0);
    } finally {
      await pg.end();
    }
  });
});

describe('DPoP required, with server nonces, on two instances', function () {
  this.timeout(60_000);
  let servers: Awaited<ReturnType<typeof twoInstances>>;
  let api: ApiClient;

  before(async function () {
    requireService(this, await postgresAvailable(), 'PostgreSQL on 127.0.0.1:5432');
    servers = await twoInstances({ DPOP_REQUIRED: 'true', DPOP_NONCE: 'true' });
    api = new ApiClient(servers.a.url);
  });
  after(async () => { await servers?.close(); });

  /** A bearer pair from an instance on the same database that does not require DPoP, as before the setting was switched on. */
  async function bearerPair() {
    const loose = await startGatehouse(loadConfig({ PORT: '0', HOST: '127.0.0.1', DATABASE_URL: servers.databaseUrl, RATE_LIMIT_ENABLED: 'false', LOG_LEVEL: 'warn', PASSWORD_HASH_COST: '12' }), pino({ level: 'silent' }));
    try {
      return await account(new ApiClient(loose.url));
    } finally {
      await loose.close();
    }
  }

  it('issues and refreshes no pair without a proof: 400 invalid_dpop_proof at both token endpoints', async () => {
    const { email, refresh } = await bearerPair();
    const issued = await api.post('/users/token/', { json: { email, password: PASSWORD } });
    expect(issued.status, issued.text).to.equal(400);
    expect(issued.body).to.deep.equal({ error: 'invalid_dpop_proof', error_description: 'this server issues only DPoP-bound tokens: send a DPoP proof for this request' });
    const refreshed = await api.post('/users/token/refresh/', { json: { refresh } });
    expect(refreshed.status, refreshed.text).to.equal(400);
    expect(refreshed.body.error).to.equal('invalid_dpop_proof');
  });

  it('refuses a bearer token, says so in the metadata, and challenges with DPoP only', async () => {
    const plain = await bearerPair();
    const res = await api.get('/items/', { token: plain.token });
    expect(res.status).to.equal(401);
    expect(res.headers.get('www-authenticate')).to.match(/^DPoP realm="gatehouse", error="invalid_token"/).and.not.include('Bearer');
    expect((await api.get('/.well-known/oauth-protected-resource')).body.dpop_bound_access_tokens_required).to.equal(true);
  });

  it('asks for a nonce (use_dpop_nonce + DPoP-Nonce), accepts it on either instance', async () => {
    const key = await newDpopKey();
    const bound = await account(api, key).catch(() => undefined);
    expect(bound, 'the token endpoint wants a nonce too').to.equal(undefined);
    const tokenUrl = new URL('/users/token/', servers.a.url);
    const email = `nonce-${Math.random().toString(36).slice(2, 10)}@example.com`;
    await api.post('/users/signup/', { json: { email, password: PASSWORD, password2: PASSWORD } });
    const asked = await api.post('/users/token/', { json: { email, password: PASSWORD }, headers: { DPoP: await proof(key, { method: 'POST', url: tokenUrl }) } });
    expect(asked.status).to.equal(400);
    expect(asked.body.error).to.equal('use_dpop_nonce');
    const nonce = asked.headers.get('dpop-nonce')!;
    expect(nonce).to.be.a('string');
    const pair = await api.post('/users/token/', { json: { email, password: PASSWORD }, headers: { DPoP: await proof(key, { method: 'POST', url: tokenUrl, nonce }) } });
    expect(pair.status, pair.text).to.equal(200);
    const token = pair.body.access_token as string;
    const atB = new URL('/items/', servers.b.url);
    const withoutNonce = await new ApiClient(servers.b.url).get('/items/', { headers: { Authorization: `DPoP ${token}`, DPoP: await proof(key, { method: 'GET', url: atB, token }) } });
    expect(withoutNonce.status).to.equal(401);
    expect(withoutNonce.body.type).to.equal('/problems/use_dpop_nonce');
    expect(withoutNonce.headers.get('dpop-nonce')).to.be.a('string');
    expect(withoutNonce.headers.get('www-authenticate')).to.include('error="use_dpop_nonce"');
    const withNonce = await new ApiClient(servers.b.url).get('/items/', { headers: { Authorization: `DPoP ${token}`, DPoP: await proof(key, { method: 'GET', url: atB, token, nonce }) } });
    expect(withNonce.status, withNonce.text).to.equal(200); // a nonce from instance A, accepted by B
  });
});

describe('HTTP API with DPoP-bound tokens (the items suite, every request with a proof)', function () {
  this.timeout(120_000);
  let servers: Awaited<ReturnType<typeof twoInstances>>;
  let client: DpopApiClient;
  before(async function () {
    requireService(this, await postgresAvailable(), 'PostgreSQL on 127.0.0.1:5432');
    servers = await twoInstances();
    client = new DpopApiClient(servers.a.url, await newDpopKey());
  });
  after(async () => { await servers?.close(); });

  it('gets DPoP-bound pairs for the suite\'s users', async () => {
    const user = await client.newUser('dpop-suite');
    expect((await client.get('/items/', { token: user.token })).status).to.equal(200);
    expect((await new ApiClient(servers.a.url).get('/items/', { token: user.token })).status).to.equal(401); // as Bearer
  });
  itemEndpointsSuite(() => client);
});

/** A JWS with alg none: no signature at all. */
function unsigned(header: Record<string, unknown>, token: string, url: URL): string {
  const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const ath = sha256(token);
  return `${part(header)}.${part({ htm: 'GET', htu: url.href, iat: Math.floor(Date.now() / 1000), jti: 'none-1', ath })}.`;
}

/** An HMAC-signed proof: a shared secret proves nothing about a holder. */
async function hs256(token: string, url: URL, key: DpopKey): Promise<string> {
  return new SignJWT({ htm: 'GET', htu: url.href, iat: Math.floor(Date.now() / 1000), jti: 'hs-1', ath: sha256(token) })
    .setProtectedHeader({ typ: 'dpop+jwt', alg: 'HS256', jwk: key.publicJwk } as never).sign(new TextEncoder().encode('a shared secret of 32 bytes at least!'));
}

const sha256 = (token: string) => createHash('sha256').update(token).digest('base64url');

/** How many of these replay keys (sha256 of jkt.jti) are in dpop_proof_jtis. */
async function jtiRows(databaseUrl: string, keys: string[]): Promise<number> {
  const pg = new Client({ connectionString: databaseUrl });
  await pg.connect();
  try {
    return (await pg.query('select count(*)::int as n from dpop_proof_jtis where key = any($1)', [keys])).rows[0].n;
  } finally {
    await pg.end();
  }
}
