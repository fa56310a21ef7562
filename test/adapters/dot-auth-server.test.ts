import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import nodeFetch, { Response } from 'node-fetch';
import { DotAuthServer } from '../../src/adapters/auth/dot-auth-server.js';
import { withIntrospectionCache } from '../../src/adapters/auth/introspection-cache.js';
import { AuthServerBadAnswer, AuthServerUnavailable, InvalidGrant, InvalidToken } from '../../src/domain/errors.js';
import type { AuthServer } from '../../src/ports/auth-server.js';
import { authServerContract, type ExpiringServer } from '../contracts/auth-server-contract.js';
import { requireService } from '../support/availability.js';
import { dotPeerAvailable, startDotPeer, type DotPeer } from '../support/dot-peer.js';
import { rejectionOf } from '../support/rejection.js';

const PASSWORD = 'correct horse battery';
const TOKEN_LIFETIME_S = 2;
const cached = (inner: AuthServer) => withIntrospectionCache(inner, { ttlSeconds: 60, negativeTtlSeconds: 5, maxEntries: 1000 });

describe('DotAuthServer against Django OAuth Toolkit 1.7', function () {
  this.timeout(60_000);
  let peer: DotPeer;
  let shortLived: DotPeer | undefined;

  before(async function () {
    requireService(this, dotPeerAvailable(), 'the DOT peer');
    peer = await startDotPeer();
  });
  after(async () => { await peer?.stop(); await shortLived?.stop(); });

  const dot = (on: DotPeer = peer, overrides: Partial<ConstructorParameters<typeof DotAuthServer>[0]> = {}) => new DotAuthServer({
    baseUrl: on.url, clientId: on.clientId, clientSecret: on.clientSecret, timeoutMs: 3000, ...overrides,
  });
  const expiring = (wrap: (s: AuthServer) => AuthServer) => async (): Promise<ExpiringServer> => {
    shortLived ??= await startDotPeer({ env: { ACCESS_TOKEN_EXPIRE_SECONDS: String(TOKEN_LIFETIME_S) } });
    return { server: wrap(dot(shortLived)), expiresWithinMs: TOKEN_LIFETIME_S * 1000 + 1500 };
  };

  authServerContract('DOT', async () => ({ server: dot(), close: async () => {}, expiringServer: expiring((s) => s) }));
  authServerContract('DOT behind the introspection cache', async () => ({
    server: cached(dot()), close: async () => {}, expiringServer: expiring(cached),
  }));

  async function newUser(server: AuthServer) {
    const email = `dot-${randomBytes(6).toString('hex')}@example.com`;
    await server.signUp({ email, password: PASSWORD });
    return { email, tokens: await server.issueToken({ email, password: PASSWORD, scopes: ['read', 'write'] }) };
  }

  it('sends only form bodies to /o/*, JSON only to /users/*', async () => {
    const seen: { path: string; type: string; body: string }[] = [];
    const spy = (async (url: string, init: { headers: Record<string, string>; body?: string }) => {
      seen.push({ path: new URL(url).pathname, type: init.headers['Content-Type'] ?? '', body: init.body ?? '' });
      return nodeFetch(url, init as never);
    }) as unknown as typeof nodeFetch;
    const server = dot(peer, { fetch: spy });
    const { tokens } = await newUser(server);
    const next = await server.refresh(tokens.refreshToken);
    await server.introspect(next.accessToken);
    await server.changePassword(next.accessToken, { oldPassword: PASSWORD, password: 'another fine passphrase' });
    await server.revoke(next.accessToken);
    const oauth = seen.filter((s) => s.path.startsWith('/o/'));
    expect(oauth.map((s) => s.path)).to.deep.equal(['/o/token/', '/o/token/', '/o/introspect/', '/o/revoke_token/']);
    for (const call of oauth) {
      expect(call.type).to.equal('application/x-www-form-urlencoded');
      expect(call.body).not.to.match(/^\s*[{[]/);
    }
    expect(seen.filter((s) => s.path.startsWith('/users/')).map((s) => s.type)).to.deep.equal(['application/json', 'application/json']);
  });

  it('always asks for a scope, so DOT never grants its default "introspection"', async () => {
    const bodies: string[] = [];
    const spy = ((url: string, init: { body?: string }) => { bodies.push(init.body ?? ''); return nodeFetch(url, init as never); }) as unknown as typeof nodeFetch;
    await newUser(dot(peer, { fetch: spy }));
    expect(new URLSearchParams(bodies[1]).get('scope')).to.equal('read write');
  });

  it('turns DOT\'s HTML 500 for a refresh token whose access token was revoked into InvalidGrant', async () => {
    const server = dot();
    const { tokens } = await newUser(server);
    await server.revoke(tokens.accessToken);
    const err = await rejectionOf(server.refresh(tokens.refreshToken));
    expect(err).to.be.instanceOf(InvalidGrant);
    expect(err.message).to.equal('the refresh token can no longer be used');
  });

  it('treats DOT\'s provisioned introspection token (active, but no user) as inactive', async () => {
    expect(await dot().introspect('rs-introspection-token')).to.deep.equal({ active: false });
    expect(await rejectionOf(dot().changePassword('rs-introspection-token', { oldPassword: 'x', password: 'y' })))
      .to.be.instanceOf(InvalidToken);
  });

  it('reports a wrong client secret as AuthServerBadAnswer without ever quoting the secret', async () => {
    const { email } = await newUser(dot());
    const secret = 'wrong-secret-c0ffee';
    const server = dot(peer, { clientSecret: secret });
    const failures = [
      await rejectionOf(server.issueToken({ email, password: PASSWORD, scopes: ['read'] })),
      await rejectionOf(server.introspect('some-token')),
      await rejectionOf(server.revoke('some-token')),
    ];
    for (const err of failures) {
      expect(err).to.be.instanceOf(AuthServerBadAnswer);
      expect(`${err.message} ${err.stack}`).not.to.include(secret).and.not.include(PASSWORD);
    }
    expect(failures[0]!.message).to.match(/client credentials/);
  });

  describe('when the peer goes away and comes back', () => {
    let own: DotPeer;
    before(async () => { own = await startDotPeer(); });
    after(async () => { await own?.stop(); });

    it('is AuthServerUnavailable within the timeout while stopped, and works again after a restart with the same instance', async () => {
      const server = dot(own, { timeoutMs: 1000 });
      const { email, tokens } = await newUser(server);
      await own.stop();
      try {
        for (const call of [() => server.ping(), () => server.introspect(tokens.accessToken),
          () => server.issueToken({ email, password: PASSWORD, scopes: ['read'] })]) {
          const started = Date.now();
          const err = await rejectionOf(call());
          expect(err).to.be.instanceOf(AuthServerUnavailable);
          expect((err as Error & { cause?: unknown }).cause).to.exist;
          expect(Date.now() - started).to.be.lessThan(1000 + 500);
        }
      } finally {
        await own.restart();
      }
      await server.ping();
      expect((await server.introspect(tokens.accessToken)).active).to.equal(true);
      expect((await server.issueToken({ email, password: PASSWORD, scopes: ['read'] })).scopes).to.deep.equal(['read']);
    });
  });

  describe('when the server accepts connections and never answers', () => {
    let hanging: Server;
    const sockets = new Set<Socket>();
    before((done) => {
      hanging = createServer((socket) => { sockets.add(socket); socket.on('error', () => undefined); });
      hanging.listen(0, '127.0.0.1', done);
    });
    after((done) => { for (const s of sockets) s.destroy(); hanging.close(() => done()); });

    it('gives up with AuthServerUnavailable after timeoutMs', async () => {
      const { port } = hanging.address() as { port: number };
      const server = new DotAuthServer({ baseUrl: `http://127.0.0.1:${port}`, clientId: 'rs-id', clientSecret: 'rs-secret', timeoutMs: 400 });
      for (const call of [() => server.introspect('some-token'), () => server.ping()]) {
        const started = Date.now();
        const err = await rejectionOf(call());
        const took = Date.now() - started;
        expect(err).to.be.instanceOf(AuthServerUnavailable);
        expect(err.message).to.match(/400 ms/).and.not.include('some-token');
        expect(took).to.be.within(380, 400 + 600);
      }
    });
  });
});

describe('DotAuthServer reading DOT\'s failures (HTTP stubbed)', () => {
  /** A DOT that answers every request with one status, content type and body. */
  const answering = (status: number, contentType: string, body: string) => new DotAuthServer({
    baseUrl: 'http://dot.invalid', clientId: 'rs-id', clientSecret: 'rs-secret', timeoutMs: 1000,
    fetch: (async () => new Response(body, { status, headers: { 'Content-Type': contentType } })) as unknown as typeof nodeFetch,
  });
  const html500 = () => answering(500, 'text/html; charset=utf-8', '<h1>Server Error (500)</h1>');
  const credentials = { email: 'a@example.com', password: PASSWORD, scopes: ['read' as const] };

  it('reads an HTML 500 as a dead refresh token only on refresh; elsewhere a 5xx is AuthServerUnavailable', async () => {
    expect(await rejectionOf(html500().refresh('some-refresh-token'))).to.be.instanceOf(InvalidGrant);
    expect(await rejectionOf(answering(500, 'application/json', '{}').refresh('some-refresh-token'))).to.be.instanceOf(AuthServerUnavailable);
    expect(await rejectionOf(answering(503, 'text/html', '').refresh('some-refresh-token'))).to.be.instanceOf(AuthServerUnavailable);
    for (const call of [(s: DotAuthServer) => s.issueToken(credentials), (s: DotAuthServer) => s.revoke('t'), (s: DotAuthServer) => s.introspect('t')]) {
      expect(await rejectionOf(call(html500()))).to.be.instanceOf(AuthServerUnavailable);
    }
  });

  it('keeps DOT\'s own error mapping: a refused grant type is a misconfigured DOT, not NotSupported', async () => {
    for (const error of ['unsupported_grant_type', 'unauthorized_client']) {
      const err = await rejectionOf(answering(400, 'application/json', JSON.stringify({ error })).issueToken(credentials));
      expect(err).to.be.instanceOf(AuthServerBadAnswer);
      expect(err.message).to.include(error);
    }
    const invalidClient = await rejectionOf(answering(401, 'application/json', '{"error": "invalid_client"}').revoke('t'));
    expect(invalidClient).to.be.instanceOf(AuthServerBadAnswer);
    expect(invalidClient.message).to.match(/AUTH_CLIENT_SECRET\)$/);
  });
});
