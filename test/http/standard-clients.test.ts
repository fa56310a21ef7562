import { expect } from 'chai';
import * as oauth from 'oauth4webapi';
import * as client from 'openid-client';
import { ApiClient } from '../support/api-client.js';
import { requireService } from '../support/availability.js';
import { startTestGatehouse, type GatehouseUnderTest } from '../support/gatehouse.js';
import { CHECKED_HTTP as HTTP, contractFetch, rejectionOrResponse, sleep } from '../support/oauth-libraries.js';
import { postgresAvailable } from '../support/postgres.js';

/** A call that builds its own request, again once when the server asks for a DPoP nonce (the handle has kept it). */
let nonceRetries = 0;
async function withNonce<T>(call: () => Promise<T>): Promise<T> {
  try { return await call(); } catch (err) {
    if (!oauth.isDPoPNonceError(err)) throw err;
    nonceRetries++;
    return call();
  }
}

/**
 * Two unmodified standard OAuth clients, oauth4webapi and openid-client, given nothing but the
 * resource's URL: RFC 9728 → RFC 8414 discovery, the password grant with DPoP and nonces, protected
 * requests, a refresh at the discovered token endpoint, revocation, and the revoked token refused
 * by a second instance on the same PostgreSQL.
 */
describe('standard OAuth clients, from the resource URL alone (embedded auth server, two instances, DPoP nonces)', function () {
  this.timeout(120_000);
  const started: GatehouseUnderTest[] = [];
  let a: GatehouseUnderTest;
  let b: GatehouseUnderTest;
  const env = { DPOP_NONCE: 'true', INTROSPECTION_CACHE_TTL: '300' };

  before(async function () {
    requireService(this, await postgresAvailable(), 'PostgreSQL on 127.0.0.1:5432');
    started.push(a = await startTestGatehouse({ database: 'postgres', auth: 'embedded', env }));
    started.push(b = await startTestGatehouse({ database: 'postgres', auth: 'embedded', env, join: { instance: a } }));
  });
  after(async () => { for (const g of started.reverse()) await g.close(); });

  /** An account, made the way a person would (sign-up is Gatehouse's own, not OAuth's). */
  const account = async () => {
    const email = `standard-${Math.random().toString(36).slice(2, 10)}@example.com`;
    const password = 'correct horse battery';
    expect((await new ApiClient(a.url).post('/users/signup/', { json: { email, password, password2: password } })).status).to.equal(201);
    return { email, password };
  };

  it('oauth4webapi: discovers, signs in with DPoP, calls /items/, refreshes, revokes; the revoked token is refused on the other instance', async () => {
    const { email, password } = await account();
    const resource = new URL(a.url);
    const resourceMetadata = await oauth.processResourceDiscoveryResponse(resource, await oauth.resourceDiscoveryRequest(resource, HTTP));
    const issuer = new URL(resourceMetadata.authorization_servers![0]!);
    const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...HTTP }));
    expect(as.token_endpoint).to.equal(`${a.url}/users/token/`);
    const gatehouseClient: oauth.Client = { client_id: 'standard-client' };
    const none = oauth.None();
    const DPoP = oauth.DPoP(gatehouseClient, await oauth.generateKeyPair('ES256'));

    const signedIn = await withNonce(async () => oauth.processGenericTokenEndpointResponse(as, gatehouseClient,
      await oauth.genericTokenEndpointRequest(as, gatehouseClient, none, 'password', { username: email, password, scope: 'read write' }, { DPoP, ...HTTP })));
    expect(signedIn.token_type).to.equal('dpop');
    expect(nonceRetries).to.equal(1); // the token endpoint asked for a nonce first
    const items = (token: string, base = a.url) => withNonce(() => oauth.protectedResourceRequest(token, 'GET', new URL('/items/?limit=1', base), undefined, undefined, { DPoP, ...HTTP }));
    expect((await items(signedIn.access_token)).status).to.equal(200);

    const refreshed = await withNonce(async () => oauth.processRefreshTokenResponse(as, gatehouseClient,
      await oauth.refreshTokenGrantRequest(as, gatehouseClient, none, signedIn.refresh_token!, { DPoP, ...HTTP })));
    expect(refreshed.access_token).to.not.equal(signedIn.access_token);
    expect((await items(refreshed.access_token)).status).to.equal(200);
    expect((await items(refreshed.access_token, b.url)).status).to.equal(200); // B has it cached for 300 s

    await oauth.processRevocationResponse(await oauth.revocationRequest(as, gatehouseClient, none, refreshed.access_token, HTTP));
    await sleep(50);
    for (const base of [a.url, b.url]) {
      const refused = await rejectionOrResponse(() => items(refreshed.access_token, base));
      expect(refused, base).to.be.instanceOf(oauth.WWWAuthenticateChallengeError);
      expect((refused as oauth.WWWAuthenticateChallengeError).status).to.equal(401);
    }
  });

  it('openid-client: discovers, signs in with DPoP (nonce retried by itself), refreshes, signs out with the refresh token; both instances refuse the session', async () => {
    const { email, password } = await account();
    const resource = new URL(a.url);
    const resourceMetadata = await oauth.processResourceDiscoveryResponse(resource, await oauth.resourceDiscoveryRequest(resource, HTTP));
    const config = await client.discovery(new URL(resourceMetadata.authorization_servers![0]!), 'standard-client', undefined, client.None(),
      { algorithm: 'oauth2', execute: [client.allowInsecureRequests], [client.customFetch]: contractFetch });
    expect(config.serverMetadata().revocation_endpoint).to.equal(`${a.url}/users/token/revoke/`);
    const DPoP = client.getDPoPHandle(config, await client.randomDPoPKeyPair('ES256'));

    const signedIn = await client.genericGrantRequest(config, 'password', { username: email, password, scope: 'read write' }, { DPoP });
    const items = (token: string, base = a.url) => client.fetchProtectedResource(config, token, new URL('/items/?limit=1', base), 'GET', undefined, undefined, { DPoP });
    expect((await items(signedIn.access_token)).status).to.equal(200);
    const refreshed = await client.refreshTokenGrant(config, signedIn.refresh_token!, undefined, { DPoP });
    expect((await items(refreshed.access_token, b.url)).status).to.equal(200); // B has it cached for 300 s

    await client.tokenRevocation(config, refreshed.refresh_token!, { token_type_hint: 'refresh_token' });
    await sleep(50);
    for (const base of [a.url, b.url]) {
      const refused = await rejectionOrResponse(() => items(refreshed.access_token, base));
      expect(refused, base).to.be.instanceOf(client.WWWAuthenticateChallengeError);
    }
    const again = await rejectionOrResponse(() => client.refreshTokenGrant(config, refreshed.refresh_token!, undefined, { DPoP }));
    expect(again).to.be.instanceOf(client.ResponseBodyError);
    expect((again as client.ResponseBodyError).error).to.equal('invalid_grant');
  });
});

