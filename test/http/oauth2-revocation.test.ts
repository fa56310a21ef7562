import { expect } from 'chai';
import { ApiClient } from '../support/api-client.js';
import { requireService } from '../support/availability.js';
import { startTestGatehouse, type GatehouseUnderTest } from '../support/gatehouse.js';
import { startOidcPeer, type OidcPeer } from '../support/oidc-peer.js';
import { postgresAvailable } from '../support/postgres.js';

const PASSWORD = 'correct horse battery';

/** POST /users/token/revoke/ with AUTH_ADAPTER=oauth2, in front of oidc-provider with and without its revocation endpoint. */
for (const revocation of [true, false]) {
  describe(`RFC 7009 revocation with AUTH_ADAPTER=oauth2, oidc-provider ${revocation ? 'with' : 'without'} a revocation_endpoint`, function () {
    this.timeout(60_000);
    let peer: OidcPeer;
    let server: GatehouseUnderTest;
    let api: ApiClient;

    before(async function () {
      requireService(this, await postgresAvailable(), 'PostgreSQL on 127.0.0.1:5432');
      peer = await startOidcPeer({ format: 'opaque', revocation });
      server = await startTestGatehouse({
        database: 'postgres', auth: 'embedded', // AUTH_ADAPTER below replaces the embedded auth server
        env: {
          AUTH_ADAPTER: 'oauth2', AUTH_SERVER_URL: peer.url, AUTH_CLIENT_ID: peer.clientId, AUTH_CLIENT_SECRET: peer.clientSecret,
          AUTH_AUDIENCE: peer.audience, INTROSPECTION_CACHE_TTL: '300',
        },
      });
      api = new ApiClient(server.url);
      const metadata = await (await fetch(`${peer.url}/.well-known/openid-configuration`)).json() as { revocation_endpoint?: string };
      expect(metadata.revocation_endpoint).to.equal(revocation ? `${peer.url}/token/revocation` : undefined);
    });
    after(async () => { await server?.close(); await peer?.stop(); });

    /** A pair through Gatehouse's token proxy, its access token used once so the cache holds it for 300 s. */
    const signedIn = async () => {
      const email = `revoke-${Math.random().toString(36).slice(2, 10)}@example.com`;
      await peer.addAccount(email, PASSWORD);
      const res = await api.post('/users/token/', { form: { grant_type: 'password', username: email, password: PASSWORD } });
      expect(res.status, res.text).to.equal(200);
      const pair = { token: res.body.access_token as string, refresh: res.body.refresh_token as string };
      expect((await api.get('/items/?limit=1', { token: pair.token })).status).to.equal(200);
      return pair;
    };
    const revoke = (form: Record<string, string>) => api.post('/users/token/revoke/', { form });

    if (revocation) {
      it('forwards an access token to the server\'s revocation_endpoint, and refuses it at once (not when the 300 s cache entry expires)', async () => {
        const { token, refresh } = await signedIn();
        expect((await revoke({ token, token_type_hint: 'access_token' })).status).to.equal(200);
        expect(await peer.active(token)).to.equal(false);
        expect(await peer.active(refresh)).to.equal(true); // oidc-provider revokes just the token it is given
        const res = await api.get('/items/?limit=1', { token });
        expect(res.status).to.equal(401);
        expect(res.body.type).to.equal('/problems/invalid_token');
      });

      it('forwards a refresh token, which then refreshes no more, and its access token is refused at once', async () => {
        const { token, refresh } = await signedIn();
        expect((await revoke({ token: refresh, token_type_hint: 'refresh_token' })).status).to.equal(200);
        expect(await peer.active(refresh)).to.equal(false);
        // oidc-provider ends the whole grant, the access token too; the ledger knew the pair, so the 300 s cache entry goes at once.
        expect(await peer.active(token)).to.equal(false);
        expect((await api.get('/items/?limit=1', { token })).status).to.equal(401);
        const again = await api.post('/users/token/', { form: { grant_type: 'refresh_token', refresh_token: refresh } });
        expect(again.status).to.equal(400);
        expect(again.body.error).to.equal('invalid_grant');
      });

      it('answers 200 for a token the server does not know, as RFC 7009 says', async () => {
        expect((await revoke({ token: 'never-issued-by-oidc-provider' })).status).to.equal(200);
      });
    } else {
      it('answers 400 unsupported_token_type (RFC 7009 §2.2.1), and the token stays good at the server', async () => {
        const { token } = await signedIn();
        const res = await revoke({ token });
        expect(res.status).to.equal(400);
        expect(res.body.error).to.equal('unsupported_token_type');
        expect(res.body.error_description).to.be.a('string').and.not.include(token);
        expect(await peer.active(token)).to.equal(true);
        expect((await api.get('/items/?limit=1', { token })).status).to.equal(200);
      });
    }
  });
}
