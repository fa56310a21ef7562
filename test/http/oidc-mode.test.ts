import { expect } from 'chai';
import { ApiClient } from '../support/api-client.js';
import { requireService } from '../support/availability.js';
import { startTestGatehouse, type GatehouseUnderTest } from '../support/gatehouse.js';
import { startOidcPeer, type OidcPeer } from '../support/oidc-peer.js';
import { postgresAvailable } from '../support/postgres.js';
import { itemEndpointsSuite } from './items-suite.js';

const PASSWORD = 'correct horse battery';
const CACHE_TTL_S = 1;
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

for (const adapter of ['oauth2', 'jwt'] as const) {
  describe(`HTTP API in front of oidc-provider (AUTH_ADAPTER=${adapter})`, function () {
    this.timeout(120_000);
    let peer: OidcPeer;
    let server: GatehouseUnderTest;
    let api: ApiClient;

    before(async function () {
      requireService(this, await postgresAvailable(), 'PostgreSQL on 127.0.0.1:5432');
      peer = await startOidcPeer({ format: adapter === 'jwt' ? 'jwt' : 'opaque' });
      server = await startTestGatehouse({
        database: 'postgres', auth: 'embedded', // AUTH_ADAPTER below replaces the embedded auth server
        env: {
          AUTH_ADAPTER: adapter, AUTH_SERVER_URL: peer.url, AUTH_CLIENT_ID: peer.clientId, AUTH_CLIENT_SECRET: peer.clientSecret,
          AUTH_AUDIENCE: peer.audience, AUTH_CLOCK_SKEW_SECONDS: '0', INTROSPECTION_CACHE_TTL: String(CACHE_TTL_S),
        },
      });
      api = new ApiClient(server.url);
    });
    after(async () => { await server?.close(); await peer?.stop(); });

    /** An account made at the peer, its token through Gatehouse's token proxy; the local id from a probe item. */
    async function newUser(prefix: string, scope?: string) {
      const email = `${prefix}-${Math.random().toString(36).slice(2, 10)}@example.com`;
      await peer.addAccount(email, PASSWORD);
      const res = await api.post('/users/token/', { json: { email, password: PASSWORD, ...(scope ? { scope } : {}) } });
      expect(res.status, res.text).to.equal(200);
      const token = res.body.access_token as string;
      let id = -1;
      if (!scope || scope.includes('write')) {
        const probe = await api.post('/items/', { token, json: { name: `probe-${email}`, description: '', price: '0' } });
        id = probe.body.user.id;
        expect((await api.delete(`/items/${probe.body.id}/`, { token })).status).to.equal(204);
      }
      return { email, password: PASSWORD, id, token, refresh: res.body.refresh_token as string };
    }

    itemEndpointsSuite(() => api, newUser);

    describe('tokens from the authorization server itself', () => {
      const direct = async (fields: { scope?: string; resource?: string; ttl?: number } = {}) => {
        const email = `direct-${Math.random().toString(36).slice(2, 10)}@example.com`;
        await peer.addAccount(email, PASSWORD);
        return { email, ...(await peer.token({ email, password: PASSWORD, ...fields })) };
      };
      const challenge = (res: { headers: Headers }) => res.headers.get('www-authenticate');

      it('accepts a valid token, with the email claim as user.email', async () => {
        const { email, access_token: token } = await direct();
        const res = await api.post('/items/', { token, json: { name: `direct-${email}`, description: '', price: '3' } });
        expect(res.status, res.text).to.equal(201);
        expect(res.body.user.email).to.equal(email);
        expect((await api.get('/items/', { token })).status).to.equal(200);
      });

      it('answers 401 for an expired token', async () => {
        const { access_token: token } = await direct({ ttl: 1 });
        await sleep(2100);
        const res = await api.get('/items/', { token });
        expect(res.status).to.equal(401);
        expect(challenge(res)).to.include('error="invalid_token"');
      });

      it('answers 401 for a token issued for another audience', async () => {
        const { access_token: token } = await direct({ resource: peer.otherAudience });
        expect((await api.get('/items/', { token })).status).to.equal(401);
      });

      it('answers 403 insufficient_scope for a read-only token that writes', async () => {
        const { access_token: token } = await direct({ scope: 'read' });
        const res = await api.post('/items/', { token, json: { name: 'never', description: '', price: '1' } });
        expect(res.status).to.equal(403);
        expect(challenge(res)).to.include('error="insufficient_scope"');
      });

      it('refreshes through Gatehouse', async () => {
        const { refresh_token: refresh } = await direct();
        const res = await api.post('/users/token/refresh/', { json: { refresh } });
        expect(res.status, res.text).to.equal(200);
        expect((await api.get('/items/', { token: res.body.access_token })).status).to.equal(200);
      });

      it('answers 501 problem+json for sign-up and password change', async () => {
        const signUp = await api.post('/users/signup/', { json: { email: 'x@example.com', password: PASSWORD, password2: PASSWORD } });
        expect(signUp.status).to.equal(501);
        expect(signUp.headers.get('content-type')).to.include('application/problem+json');
        expect(signUp.body.detail).to.match(/create accounts at the authorization server/);
        const { access_token: token } = await direct();
        const change = await api.put('/users/password/', { token, json: { old_password: PASSWORD, password: 'another passphrase', password2: 'another passphrase' } });
        expect(change.status).to.equal(501);
      });

      if (adapter === 'oauth2') {
        it(`answers 401 for a token revoked at the server once the ${CACHE_TTL_S} s cache TTL has passed`, async () => {
          const { access_token: token } = await direct();
          expect((await api.get('/items/', { token })).status).to.equal(200);
          await peer.revoke(token);
          await sleep(CACHE_TTL_S * 1000 + 300);
          expect((await api.get('/items/', { token })).status).to.equal(401);
        });
      }
    });
  });
}
