import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { withIntrospectionCache } from '../../src/adapters/auth/introspection-cache.js';
import { JwtAuthServer } from '../../src/adapters/auth/jwt-auth-server.js';
import { OAuth2AuthServer } from '../../src/adapters/auth/oauth2-auth-server.js';
import { AuthServerBadAnswer, AuthServerUnavailable } from '../../src/domain/errors.js';
import type { AuthServer } from '../../src/ports/auth-server.js';
import { authServerContract, type AuthServerHarness } from '../contracts/auth-server-contract.js';
import { startOidcPeer, type OidcPeer } from '../support/oidc-peer.js';
import { rejectionOf } from '../support/rejection.js';

const PASSWORD = 'correct horse battery';
const SHORT_TTL_S = 2;
const cached = (inner: AuthServer) => withIntrospectionCache(inner, { ttlSeconds: 60, negativeTtlSeconds: 5, maxEntries: 1000 });
const clientOf = (peer: OidcPeer, method: 'client_secret_basic' | 'client_secret_post' = 'client_secret_basic') =>
  ({ id: peer.clientId, secret: peer.clientSecret, method });

const oauth2 = (peer: OidcPeer, method?: 'client_secret_post') =>
  new OAuth2AuthServer({ serverUrl: peer.url, client: clientOf(peer, method), audience: peer.audience, timeoutMs: 3000 });
const jwt = (peer: OidcPeer, clockSkewSeconds = 30) =>
  new JwtAuthServer({ serverUrl: peer.url, client: clientOf(peer), audience: peer.audience, timeoutMs: 3000, clockSkewSeconds });

describe('OAuth2AuthServer and JwtAuthServer against oidc-provider', function () {
  this.timeout(60_000);
  // oidc-provider runs in this process: it is an npm dev dependency, never missing, so no requireService.
  let opaque: OidcPeer;
  let jwts: OidcPeer;
  const short: OidcPeer[] = [];
  before(async () => { opaque = await startOidcPeer({ format: 'opaque' }); jwts = await startOidcPeer({ format: 'jwt' }); });
  after(async () => { await opaque?.stop(); await jwts?.stop(); for (const p of short) await p.stop(); });
  const shortLived = async (format: 'opaque' | 'jwt') => {
    const peer = await startOidcPeer({ format, accessTokenTtlSeconds: SHORT_TTL_S });
    short.push(peer);
    return peer;
  };

  const harness = (peer: () => OidcPeer, make: (p: OidcPeer) => AuthServer,
    expiring: () => Promise<OidcPeer>): () => Promise<AuthServerHarness> => async () => ({
    server: make(peer()), close: async () => {},
    createAccount: (email, password) => peer().addAccount(email, password),
    expiringServer: async () => {
      const p = await expiring();
      return { server: make(p), expiresWithinMs: SHORT_TTL_S * 1000 + 1500, createAccount: (e, pw) => p.addAccount(e, pw) };
    },
  });
  const oauth2Lacks = { accountManagement: true, refreshEndsOldAccessToken: true } as const;
  authServerContract('oauth2 on oidc-provider', harness(() => opaque, (p) => oauth2(p), () => shortLived('opaque')), oauth2Lacks);
  authServerContract('oauth2 on oidc-provider behind the introspection cache',
    harness(() => opaque, (p) => cached(oauth2(p)), () => shortLived('opaque')), oauth2Lacks);
  authServerContract('oauth2 on oidc-provider with client_secret_post',
    harness(() => opaque, (p) => oauth2(p, 'client_secret_post'), () => shortLived('opaque')), oauth2Lacks);
  authServerContract('jwt on oidc-provider', harness(() => jwts, (p) => jwt(p, 0), () => shortLived('jwt')),
    { accountManagement: true, refreshEndsOldAccessToken: true, immediateRevocation: true });

  const expOf = (jwt: string): number => JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString()).exp;
  const untilPast = (expSeconds: number) => new Promise((done) => setTimeout(done, Math.max(0, expSeconds * 1000 - Date.now()) + 100));

  async function tokenFor(peer: OidcPeer, fields: { scope?: string; resource?: string; ttl?: number } = {}) {
    const email = `oidc-${Math.random().toString(36).slice(2, 10)}@example.com`;
    const account = await peer.addAccount(email, PASSWORD);
    return { account, email, ...(await peer.token({ email, password: PASSWORD, ...fields })) };
  }

  it('jwt: refuses a token for another audience, a wrong issuer\'s key, and an expired one; makes no call per request', async () => {
    const server = jwt(jwts, 0);
    const good = await tokenFor(jwts);
    expect((await server.introspect(good.access_token)).active).to.equal(true);
    expect(await server.introspect((await tokenFor(jwts, { resource: jwts.otherAudience })).access_token)).to.deep.equal({ active: false });
    expect(await jwt(opaque).introspect(good.access_token).catch((e) => e)).to.deep.equal({ active: false }); // another issuer
    // exp is in whole seconds, so a 1 s token can be spent the moment it is issued: 3 s, then wait past its own exp.
    const expiring = await tokenFor(jwts, { ttl: 3 });
    expect((await server.introspect(expiring.access_token)).active).to.equal(true);
    await untilPast(expOf(expiring.access_token));
    expect(await server.introspect(expiring.access_token)).to.deep.equal({ active: false });
    await jwts.stop();
    try {
      for (let i = 0; i < 100; i++) expect((await server.introspect(good.access_token)).active).to.equal(true);
    } finally {
      jwts = await startOidcPeer({ format: 'jwt' }); // the peer's state is in memory: a fresh one
    }
  });

  it('jwt: honours the clock skew for a token just past its exp', async () => {
    const expiring = await tokenFor(jwts, { ttl: 1 });
    await new Promise((done) => setTimeout(done, 2100));
    expect((await jwt(jwts, 30).introspect(expiring.access_token)).active).to.equal(true);
    expect(await jwt(jwts, 0).introspect(expiring.access_token)).to.deep.equal({ active: false });
  });

  it('oauth2: refuses a token issued for another audience', async () => {
    const other = await tokenFor(opaque, { resource: opaque.otherAudience });
    expect(await oauth2(opaque).introspect(other.access_token)).to.deep.equal({ active: false });
  });

  it('oauth2: reports a wrong client secret as AuthServerBadAnswer without quoting it', async () => {
    const secret = 'wrong-secret-c0ffee';
    const server = new OAuth2AuthServer({ serverUrl: opaque.url, client: { ...clientOf(opaque), secret }, timeoutMs: 3000 });
    const err = await rejectionOf(server.introspect('some-token'));
    expect(err).to.be.instanceOf(AuthServerBadAnswer);
    expect(`${err.message} ${err.stack}`).not.to.include(secret);
  });

  describe('discovery', () => {
    let fake: Server;
    let answer: { status: number; body: string } = { status: 503, body: '' };
    let calls = 0;
    before((done) => {
      fake = createServer((_req, res) => { calls++; res.writeHead(answer.status, { 'Content-Type': 'application/json' }).end(answer.body); });
      fake.listen(0, '127.0.0.1', done);
    });
    after((done) => { fake.close(() => done()); });
    const url = () => `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;

    it('is AuthServerUnavailable when unreachable, and a failure is retried later rather than kept', async () => {
      const server = new OAuth2AuthServer({ serverUrl: url(), client: clientOf(opaque), timeoutMs: 1000 });
      expect(await rejectionOf(server.introspect('t'))).to.be.instanceOf(AuthServerUnavailable);
      answer = { status: 200, body: JSON.stringify({ issuer: 'https://elsewhere.example.com' }) };
      const err = await rejectionOf(server.introspect('t'));
      expect(err).to.be.instanceOf(AuthServerBadAnswer);
      expect(err.message).to.match(/issuer other than AUTH_SERVER_URL/);
      answer = { status: 404, body: '{}' };
      calls = 0;
      expect((await rejectionOf(server.introspect('t'))).message).to.match(/no authorization server metadata/);
      expect(calls).to.equal(2); // RFC 8414, then OpenID Connect Discovery
      const unreachable = new JwtAuthServer({ serverUrl: 'http://127.0.0.1:9', audience: 'x', timeoutMs: 500, clockSkewSeconds: 0 });
      expect(await rejectionOf(unreachable.introspect('t'))).to.be.instanceOf(AuthServerUnavailable);
    });
  });
});
