import { expect } from 'chai';
import { ApiClient } from '../support/api-client.js';
import { requireService } from '../support/availability.js';
import { newDpopKey, proof, proofByKey, unacceptableProofKeys, type DpopKey } from '../support/dpop.js';
import { startTestGatehouse, type GatehouseUnderTest } from '../support/gatehouse.js';
import { startOidcPeer, type OidcPeer } from '../support/oidc-peer.js';
import { postgresAvailable } from '../support/postgres.js';

const PASSWORD = 'correct horse battery';

/**
 * DPoP with a real authorization server that binds tokens: oidc-provider with its dPoP feature. The
 * client gets a bound token from it directly (a proof for its token endpoint) and presents it to
 * Gatehouse with a proof for Gatehouse's URL; the key comes from the introspection answer's cnf.jkt
 * (oauth2) or the JWT's own cnf.jkt (jwt).
 */
for (const adapter of ['oauth2', 'jwt'] as const) {
  describe(`DPoP-bound tokens from oidc-provider (AUTH_ADAPTER=${adapter})`, function () {
    this.timeout(60_000);
    let peer: OidcPeer;
    let server: GatehouseUnderTest;
    let api: ApiClient;
    let key: DpopKey;
    let token: string;
    let itemsUrl: URL;

    before(async function () {
      requireService(this, await postgresAvailable(), 'PostgreSQL on 127.0.0.1:5432');
      peer = await startOidcPeer({ format: adapter === 'jwt' ? 'jwt' : 'opaque' });
      server = await startTestGatehouse({
        database: 'postgres', auth: 'embedded',
        env: { AUTH_ADAPTER: adapter, AUTH_SERVER_URL: peer.url, AUTH_CLIENT_ID: peer.clientId, AUTH_CLIENT_SECRET: peer.clientSecret, AUTH_AUDIENCE: peer.audience },
      });
      api = new ApiClient(server.url);
      key = await newDpopKey();
      const email = `oidc-dpop-${Math.random().toString(36).slice(2, 10)}@example.com`;
      await peer.addAccount(email, PASSWORD);
      const pair = await peer.token({ email, password: PASSWORD, dpop: await proof(key, { method: 'POST', url: `${peer.url}/token` }) });
      expect(pair.token_type).to.equal('DPoP');
      token = pair.access_token;
      itemsUrl = new URL('/items/', server.url);
    });
    after(async () => { await server?.close(); await peer?.stop(); });

    const withProof = async (signer: DpopKey, method = 'GET', url: URL = itemsUrl) =>
      ({ Authorization: `DPoP ${token}`, DPoP: await proof(signer, { method, url, token }) });

    it('serves a bound token with a proof by its key, for reading and writing', async () => {
      expect((await api.get('/items/', { headers: await withProof(key) })).status).to.equal(200);
      const created = await api.post('/items/', { json: { name: `oidc dpop ${adapter}`, description: '', price: '1' }, headers: await withProof(key, 'POST') });
      expect(created.status, created.text).to.equal(201);
    });

    it('refuses it as Bearer, and with a proof by another key', async () => {
      const asBearer = await api.get('/items/', { token });
      expect(asBearer.status).to.equal(401);
      expect(asBearer.headers.get('www-authenticate')).to.match(/^Bearer realm="gatehouse", error="invalid_token"/);
      const thief = await api.get('/items/', { headers: await withProof(await newDpopKey()) });
      expect(thief.status).to.equal(401);
      expect(thief.body.type).to.equal('/problems/invalid_dpop_proof');
    });

    it('refuses a proof whose jwk has a shape it does not accept, naming what is wrong', async () => {
      for (const unacceptable of await unacceptableProofKeys()) {
        const res = await api.get('/items/', { headers: { Authorization: `DPoP ${token}`, DPoP: proofByKey(unacceptable, { method: 'GET', url: itemsUrl, token }) } });
        expect(res.status, `${unacceptable.what}: ${res.text}`).to.equal(401);
        expect(res.body.type).to.equal('/problems/invalid_dpop_proof');
        expect(res.body.detail, unacceptable.what).to.match(unacceptable.reason);
      }
    });

    it('still takes an unbound token from the same server as Bearer', async () => {
      const email = `oidc-bearer-${Math.random().toString(36).slice(2, 10)}@example.com`;
      await peer.addAccount(email, PASSWORD);
      const plain = await peer.token({ email, password: PASSWORD });
      expect(plain.token_type).to.equal('Bearer');
      expect((await api.get('/items/', { token: plain.access_token })).status).to.equal(200);
    });
  });
}
