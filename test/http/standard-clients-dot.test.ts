import { expect } from 'chai';
import * as oauth from 'oauth4webapi';
import { ApiClient } from '../support/api-client.js';
import { requireService } from '../support/availability.js';
import { dotPeerAvailable, type DotPeer } from '../support/dot-peer.js';
import { startTestGatehouse, type GatehouseUnderTest } from '../support/gatehouse.js';
import { CHECKED_HTTP as HTTP, rejectionOrResponse, sleep } from '../support/oauth-libraries.js';
import { postgresAvailable } from '../support/postgres.js';

const basicAuthorization = ({ clientId, clientSecret }: DotPeer) => `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`;

/**
 * oauth4webapi, unmodified, in front of Django OAuth Toolkit 1.7, two Gatehouse instances on one
 * PostgreSQL. DOT 1.7 serves no RFC 8414 metadata, so discovery stops at the resource metadata and
 * the client is given Gatehouse's documented endpoints instead; everything after that is the
 * library's own calls. Without DPoP: DOT 1.7 cannot bind tokens.
 */
describe('standard OAuth clients in front of Django OAuth Toolkit 1.7 (two instances)', function () {
  this.timeout(120_000);
  const started: GatehouseUnderTest[] = [];
  let a: GatehouseUnderTest;
  let b: GatehouseUnderTest;
  let dot: DotPeer;
  let as: oauth.AuthorizationServer;
  const gatehouseClient: oauth.Client = { client_id: 'standard-client' };
  const none = oauth.None();
  const env = { INTROSPECTION_CACHE_TTL: '300' };

  before(async function () {
    requireService(this, await postgresAvailable(), 'PostgreSQL on 127.0.0.1:5432');
    requireService(this, dotPeerAvailable(), 'the Django OAuth Toolkit peer');
    started.push(a = await startTestGatehouse({ database: 'postgres', auth: 'dot', env }));
    started.push(b = await startTestGatehouse({ database: 'postgres', auth: 'dot', env, join: { instance: a } }));
    dot = a.dot!;
    // What the client is given instead of DOT's metadata: Gatehouse's documented token and revocation endpoints, which front DOT's.
    as = { issuer: dot.url, token_endpoint: `${a.url}/users/token/`, revocation_endpoint: `${a.url}/users/token/revoke/` };
  });
  after(async () => { for (const g of started.reverse()) await g.close(); });

  const signIn = async (name: string) => {
    const user = await new ApiClient(a.url).newUser(name);
    const tokens = await oauth.processGenericTokenEndpointResponse(as, gatehouseClient,
      await oauth.genericTokenEndpointRequest(as, gatehouseClient, none, 'password', { username: user.email, password: user.password, scope: 'read write' }, HTTP));
    expect(tokens.token_type).to.equal('bearer');
    return tokens;
  };
  const items = (token: string, base: string) => oauth.protectedResourceRequest(token, 'GET', new URL('/items/?limit=1', base), undefined, undefined, HTTP);
  const refusedOn = async (token: string, base: string) => {
    const refused = await rejectionOrResponse(() => items(token, base));
    expect(refused, base).to.be.instanceOf(oauth.WWWAuthenticateChallengeError);
    return (refused as oauth.WWWAuthenticateChallengeError).status;
  };
  /** The RFC 6749 error a refresh through Gatehouse's token endpoint is refused with. */
  const refreshError = async (refreshToken: string) => {
    const refused = await rejectionOrResponse(async () => oauth.processRefreshTokenResponse(as, gatehouseClient,
      await oauth.refreshTokenGrantRequest(as, gatehouseClient, none, refreshToken, HTTP)));
    return (refused as oauth.ResponseBodyError).error;
  };
  /** What DOT itself says of a token, asked with Gatehouse's client credentials. */
  const activeAtDot = async (token: string) => {
    const res = await fetch(`${dot.url}/o/introspect/`, {
      method: 'POST', body: new URLSearchParams({ token }),
      headers: { Authorization: basicAuthorization(dot) },
    });
    return ((await res.json()) as { active: boolean }).active;
  };

  it('discovers the resource metadata naming DOT, which serves no RFC 8414 (nor OpenID) metadata: 404', async () => {
    const resource = new URL(a.url);
    const resourceMetadata = await oauth.processResourceDiscoveryResponse(resource, await oauth.resourceDiscoveryRequest(resource, HTTP));
    expect(resourceMetadata.authorization_servers).to.deep.equal([dot.url]);
    for (const wellKnown of ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']) {
      expect((await fetch(new URL(wellKnown, dot.url))).status, wellKnown).to.equal(404);
    }
    const discovery = await rejectionOrResponse(async () => oauth.processDiscoveryResponse(new URL(dot.url),
      await oauth.discoveryRequest(new URL(dot.url), { algorithm: 'oauth2', [oauth.allowInsecureRequests]: true })));
    expect(discovery).to.be.instanceOf(oauth.OperationProcessingError);
    expect((discovery as oauth.OperationProcessingError).code).to.equal(oauth.RESPONSE_IS_NOT_CONFORM);
  });

  it('refreshes at /users/token/ with grant_type=refresh_token', async () => {
    const signedIn = await signIn('dot-refresh');
    expect((await items(signedIn.access_token, a.url)).status).to.equal(200);
    const refreshed = await oauth.processRefreshTokenResponse(as, gatehouseClient,
      await oauth.refreshTokenGrantRequest(as, gatehouseClient, none, signedIn.refresh_token!, HTTP));
    expect(refreshed.access_token).to.not.equal(signedIn.access_token);
    expect(refreshed.refresh_token).to.not.equal(signedIn.refresh_token);
    expect((await items(refreshed.access_token, b.url)).status).to.equal(200);
    expect(await activeAtDot(signedIn.access_token)).to.equal(false); // DOT rotates: the old pair is gone
    expect(dot.requests().filter((line) => line.startsWith('"POST /o/token/" 200')).length).to.be.at.least(2);
  });

  it('revokes an access token through DOT\'s /o/revoke_token/, and the other instance, which had it cached for 300 s, refuses it at once', async () => {
    const signedIn = await signIn('dot-revoke-access');
    for (const base of [a.url, b.url]) expect((await items(signedIn.access_token, base)).status).to.equal(200);
    const revocationsBefore = dot.requests().filter((line) => line.startsWith('"POST /o/revoke_token/" 200')).length;
    await oauth.processRevocationResponse(await oauth.revocationRequest(as, gatehouseClient, none, signedIn.access_token, HTTP));
    expect(dot.requests().filter((line) => line.startsWith('"POST /o/revoke_token/" 200')).length).to.equal(revocationsBefore + 1);
    expect(await activeAtDot(signedIn.access_token)).to.equal(false);
    await sleep(50);
    for (const base of [a.url, b.url]) expect(await refusedOn(signedIn.access_token, base)).to.equal(401);
    // DOT 1.7 deletes the access token and leaves its refresh token unrevoked but unusable (a refresh crashes in DOT); Gatehouse refuses it.
    expect(await refreshError(signedIn.refresh_token!)).to.equal('invalid_grant');
    const atDot = await fetch(`${dot.url}/o/token/`, { method: 'POST', headers: { Authorization: basicAuthorization(dot) },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: signedIn.refresh_token! }) });
    expect(atDot.status).to.equal(500); // DOT 1.7's own answer, an HTML page: AccessToken.DoesNotExist
    expect(atDot.headers.get('content-type')).to.match(/html/);
  });

  it('revokes a refresh token: DOT 1.7 deletes its access token too, and both instances refuse that at once', async () => {
    const signedIn = await signIn('dot-revoke-refresh');
    for (const base of [a.url, b.url]) expect((await items(signedIn.access_token, base)).status).to.equal(200);
    await oauth.processRevocationResponse(await oauth.revocationRequest(as, gatehouseClient, none, signedIn.refresh_token!,
      { ...HTTP, additionalParameters: { token_type_hint: 'refresh_token' } }));
    expect(await activeAtDot(signedIn.access_token)).to.equal(false);
    await sleep(50);
    for (const base of [a.url, b.url]) expect(await refusedOn(signedIn.access_token, base)).to.equal(401);
    expect(await refreshError(signedIn.refresh_token!)).to.equal('invalid_grant');
  });

  it('answers 200 for a token DOT does not know, as RFC 7009 says', async () => {
    await oauth.processRevocationResponse(await oauth.revocationRequest(as, gatehouseClient, none, 'not-a-token-dot-ever-issued', HTTP));
  });
});
