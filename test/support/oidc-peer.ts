import { randomBytes, randomUUID, scryptSync, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { calculateJwkThumbprint, EmbeddedJWK, exportJWK, generateKeyPair, jwtVerify } from 'jose';
import Provider, { errors, type KoaContextWithOIDC } from 'oidc-provider';
import type { Account } from '../../src/domain/account.js';

/**
 * oidc-provider, a certified OpenID Connect / OAuth 2 server, configured as a stand-in for "your
 * own authorization server": a confidential client for Gatehouse, introspection, revocation, and
 * resource indicators so tokens are issued for Gatehouse's audience, opaque or RFC 9068 JWTs.
 *
 * It has no password grant (OAuth 2.1 dropped it), so this registers one as an extension grant
 * over an in-memory account store: the contract suite needs tokens for a user with a password,
 * and the client credentials grant cannot carry a user. The grant takes one test-only parameter,
 * `ttl` (seconds), so a test can ask for a token that expires soon.
 */
export interface OidcPeer {
  url: string;
  clientId: string;
  clientSecret: string;
  /** The resource identifier the peer issues Gatehouse's tokens for. */
  audience: string;
  /** Another resource server it knows, for wrong-audience tokens. */
  otherAudience: string;
  /** Creates an account in the peer's store (there is no sign-up endpoint). */
  addAccount(email: string, password: string): Promise<Account>;
  /** Password grant straight at the peer, as a client of Gatehouse's would; with `dpop`, a proof for `${url}/token`. */
  token(fields: { email: string; password: string; scope?: string; resource?: string; ttl?: number; dpop?: string }): Promise<{ access_token: string; refresh_token: string; token_type: string }>;
  /** RFC 7009 at the peer, behind Gatehouse's back. */
  revoke(token: string): Promise<void>;
  /** RFC 7662 at the peer: whether it still takes the token (an access or a refresh token). */
  active(token: string): Promise<boolean>;
  stop(): Promise<void>;
}

export interface OidcPeerOptions {
  /** `opaque` for introspection (oidc-provider refuses to introspect its JWTs), `jwt` for RFC 9068. */
  format: 'opaque' | 'jwt';
  accessTokenTtlSeconds?: number;
  /** RFC 7009 revocation (default true); false: its metadata has no `revocation_endpoint`, as some servers'. */
  revocation?: boolean;
}

const SCOPES = 'read write';

/**
 * The DPoP proof at the token endpoint, checked as oidc-provider's own grants do (its helper is
 * internal, and loads a second copy of its state when imported from outside): signature by the
 * embedded public key, typ, htm, htu. What it binds the token to is the key's thumbprint.
 */
async function validateDpop(ctx: KoaContextWithOIDC, tokenEndpoint: string): Promise<{ thumbprint: string } | undefined> {
  const header = ctx.get('DPoP');
  if (!header) return undefined;
  const { payload, protectedHeader } = await jwtVerify(header, EmbeddedJWK, { typ: 'dpop+jwt', algorithms: ['ES256', 'RS256', 'PS256', 'EdDSA'] })
    .catch(() => { throw new errors.InvalidDpopProof('invalid DPoP proof'); });
  if (payload.htm !== 'POST' || payload.htu !== tokenEndpoint) throw new errors.InvalidDpopProof('DPoP proof for another request');
  return { thumbprint: await calculateJwkThumbprint(protectedHeader.jwk!, 'sha256') };
}

export async function startOidcPeer({ format, accessTokenTtlSeconds = 600, revocation = true }: OidcPeerOptions): Promise<OidcPeer> {
  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.writeHead(503).end();
  const server = createServer((req, res) => handler(req, res));
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const audience = `${url}/gatehouse`;
  const otherAudience = `${url}/another-api`;
  const clientId = 'gatehouse';
  const clientSecret = randomBytes(16).toString('hex');
  const accounts = new Map<string, { subject: string; email: string; hash: Buffer; salt: Buffer }>();
  const bySubject = new Map<string, string>();

  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const resourceServerInfo = (ctx: KoaContextWithOIDC, resource: string) => {
    if (resource !== audience && resource !== otherAudience) throw new errors.InvalidTarget();
    const ttl = Number(ctx.oidc.params?.ttl) || accessTokenTtlSeconds;
    return { scope: SCOPES, audience: resource, accessTokenTTL: ttl, accessTokenFormat: format, jwt: { sign: { alg: 'RS256' as const } } };
  };
  const provider = new Provider(url, {
    clients: [{
      client_id: clientId, client_secret: clientSecret, redirect_uris: [], response_types: [],
      grant_types: ['password', 'refresh_token', 'client_credentials'], token_endpoint_auth_method: 'client_secret_basic',
    }],
    jwks: { keys: [{ ...(await exportJWK(privateKey)), kid: 'peer-key-1', alg: 'RS256', use: 'sig' }] },
    cookies: { keys: [randomBytes(16).toString('hex')] },
    scopes: ['openid', 'offline_access', 'read', 'write'],
    features: {
      devInteractions: { enabled: false },
      introspection: { enabled: true, allowedPolicy: () => true }, // only confidential clients exist here
      revocation: { enabled: revocation },
      clientCredentials: { enabled: true },
      dPoP: { enabled: true }, // RFC 9449: a proof at /token gets a token bound to its key (cnf.jkt)
      resourceIndicators: {
        enabled: true,
        defaultResource: () => audience,
        useGrantedResource: () => true,
        getResourceServerInfo: (ctx, resource) => resourceServerInfo(ctx, resource),
      },
    },
    findAccount: (_ctx, subject) => {
      const email = bySubject.get(subject);
      return email === undefined ? undefined : { accountId: subject, claims: () => ({ sub: subject, email }) };
    },
    // Like most real servers can be configured to: the user's email in the access token.
    extraTokenClaims: (_ctx, token) => {
      const accountId = (token as { accountId?: string }).accountId;
      const email = accountId === undefined ? undefined : bySubject.get(accountId);
      return email === undefined ? undefined : { email };
    },
    ttl: {
      Grant: 86_400, RefreshToken: 86_400, ClientCredentials: accessTokenTtlSeconds,
      AccessToken: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? accessTokenTtlSeconds,
    },
    rotateRefreshToken: true,
    issueRefreshToken: () => true,
  });

  provider.registerGrantType('password', async (ctx: KoaContextWithOIDC) => {
    const { username, password, scope, resource } = ctx.oidc.params as Record<string, string | undefined>;
    const account = accounts.get(String(username ?? '').toLowerCase());
    const hash = account && scryptSync(String(password ?? ''), account.salt, 32);
    if (!account || !hash || !timingSafeEqual(hash, account.hash)) throw new errors.InvalidGrant('invalid credentials');
    const target = resource ?? audience;
    const info = resourceServerInfo(ctx, target);
    const asked = (scope ?? SCOPES).split(' ').filter(Boolean);
    if (asked.some((s) => !SCOPES.split(' ').includes(s))) throw new errors.InvalidScope('unknown scope', scope ?? '');
    const client = ctx.oidc.client!;
    const grant = new provider.Grant({ clientId: client.clientId, accountId: account.subject });
    grant.addResourceScope(target, asked.join(' '));
    const grantId = await grant.save();
    const at = new provider.AccessToken({ accountId: account.subject, client, grantId, gty: 'password', scope: asked.join(' ') });
    // What oidc-provider's own grants do with a DPoP proof; an extension grant has to ask for it.
    const dPoP = await validateDpop(ctx, `${url}/token`);
    if (dPoP) (at as unknown as { setThumbprint(kind: 'jkt', value: string): void }).setThumbprint('jkt', dPoP.thumbprint); // missing from @types/oidc-provider 8
    // ResourceServer is missing from @types/oidc-provider 8
    at.resourceServer = new (provider as unknown as { ResourceServer: new (id: string, info: object) => never }).ResourceServer(target, info);
    const rt = new provider.RefreshToken({ accountId: account.subject, client, grantId, gty: 'password', scope: asked.join(' '), resource: target });
    ctx.body = {
      access_token: await at.save(), token_type: dPoP ? 'DPoP' : 'Bearer', expires_in: at.expiration,
      refresh_token: await rt.save(), scope: asked.join(' '),
    };
  }, ['username', 'password', 'scope', 'resource', 'ttl']);

  provider.on('server_error', (_ctx: unknown, err: Error) => { if (process.env.OIDC_PEER_DEBUG) console.error('oidc-peer:', err); });
  handler = provider.callback();
  const basic = `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`;
  const post = async (path: string, fields: Record<string, string>, headers: Record<string, string> = {}) => {
    const res = await fetch(`${url}${path}`, { method: 'POST', headers: { Authorization: basic, ...headers }, body: new URLSearchParams(fields) });
    const text = await res.text(); // revocation answers 200 with no body
    const body = (text ? JSON.parse(text) : {}) as Record<string, string>;
    if (!res.ok) throw new Error(`${path} answered ${res.status}: ${body.error}`);
    return body;
  };

  return {
    url, clientId, clientSecret, audience, otherAudience,
    async addAccount(email, password) {
      const salt = randomBytes(16);
      const subject = randomUUID(); // not the email: shows Gatehouse maps `sub` and `email` apart
      accounts.set(email.toLowerCase(), { subject, email: email.toLowerCase(), salt, hash: scryptSync(password, salt, 32) });
      bySubject.set(subject, email.toLowerCase());
      return { subject, email };
    },
    async token({ email, password, scope, resource, ttl, dpop }) {
      const body = await post('/token', {
        grant_type: 'password', username: email, password, ...(scope ? { scope } : {}),
        ...(resource ? { resource } : {}), ...(ttl ? { ttl: String(ttl) } : {}),
      }, dpop ? { DPoP: dpop } : {});
      return { access_token: body.access_token!, refresh_token: body.refresh_token!, token_type: body.token_type! };
    },
    async revoke(token) { await post('/token/revocation', { token }); },
    async active(token) { return (await post('/token/introspection', { token })).active as unknown as boolean; },
    stop: () => new Promise<void>((done) => { server.closeAllConnections(); server.close(() => done()); }),
  };
}
