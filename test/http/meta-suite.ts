import { expect } from 'chai';
import type { ApiClient } from '../support/api-client.js';
import { assertMatchesContract } from '../support/contract.js';

/** `authorizationServer` is the issuer Gatehouse is configured with; absent, the embedded one at Gatehouse itself. */
export function metaEndpointsSuite(api: () => ApiClient, authorizationServer: () => string | undefined = () => undefined): void {
  describe('health, contract and docs', () => {
    it('answers /healthz and /readyz with 200 when the database and auth server are up', async () => {
      expect((await api().get('/healthz')).body).to.deep.equal({ status: 'ok' });
      const ready = await api().get('/readyz');
      expect(ready.status).to.equal(200);
      expect(ready.body).to.deep.equal({ status: 'ok', checks: { database: 'ok', authServer: 'ok' } });
    });

    it('serves the contract as YAML and JSON, and Swagger UI without a CDN', async () => {
      const yaml = await api().get('/openapi.yaml');
      expect(yaml.text).to.match(/^openapi: 3\.1/m);
      const json = await api().get('/openapi.json');
      expect(json.body.openapi).to.match(/^3\.1/);
      // Generators take the first server as the base URL: the served document names this server.
      const base = api().baseUrl.replace(/\/$/, '');
      expect(json.body.servers).to.deep.equal([{ url: base, description: 'This Gatehouse (its PUBLIC_URL).' }]);
      expect(yaml.text).to.include(`servers:\n  - url: ${base}\n`);
      const docs = await api().get('/docs');
      expect(docs.text).to.include('/docs/swagger-ui-bundle.js').and.not.match(/https?:\/\//);
      expect((await api().get('/docs/swagger-ui-bundle.js')).status).to.equal(200);
    });

    it('answers RFC 9728 protected resource metadata built from PUBLIC_URL, whatever Host the request names', async () => {
      const base = api().baseUrl.replace(/\/$/, '');
      const res = await api().get('/.well-known/oauth-protected-resource');
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal({
        resource: base,
        authorization_servers: [authorizationServer() ?? base],
        scopes_supported: ['read', 'write'],
        bearer_methods_supported: ['header'],
        resource_documentation: `${base}/docs`,
        dpop_signing_alg_values_supported: ['ES256', 'ES384', 'RS256', 'PS256', 'EdDSA'],
        dpop_bound_access_tokens_required: false,
      });
      const { port } = new URL(base);
      const viaName = await fetch(`http://localhost:${port}/.well-known/oauth-protected-resource`);
      expect((await viaName.json()).resource).to.equal(base); // the default PUBLIC_URL, not the Host sent
    });

    it('answers RFC 8414 authorization server metadata for the embedded server, and 404 in front of another', async () => {
      const base = api().baseUrl.replace(/\/$/, '');
      const res = await api().get('/.well-known/oauth-authorization-server');
      if (authorizationServer() !== undefined) {
        expect(res.status).to.equal(404); // the resource metadata names the real server, which publishes its own
        return;
      }
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal({
        issuer: base, // what the resource metadata lists in authorization_servers
        token_endpoint: `${base}/users/token/`,
        revocation_endpoint: `${base}/users/token/revoke/`,
        grant_types_supported: ['password', 'refresh_token'],
        response_types_supported: [],
        token_endpoint_auth_methods_supported: ['none'],
        revocation_endpoint_auth_methods_supported: ['none'],
        scopes_supported: ['read', 'write'],
        dpop_signing_alg_values_supported: ['ES256', 'ES384', 'RS256', 'PS256', 'EdDSA'],
        service_documentation: `${base}/docs`,
      });
      expect((await api().get('/.well-known/oauth-protected-resource')).body.authorization_servers).to.deep.equal([res.body.issuer]);
    });

    it('redirects / to the docs (302, Location: /docs, no body)', async () => {
      // Not through api(): fetch would follow the redirect, and the 302 itself is what is under test.
      const res = await fetch(new URL('/', api().baseUrl), { redirect: 'manual' });
      const text = await res.text();
      assertMatchesContract({ method: 'GET', path: '/', status: res.status, headers: res.headers, body: text || undefined });
      expect(res.status).to.equal(302);
      expect(res.headers.get('location')).to.equal('/docs');
      expect(text).to.equal('');
    });

    it('answers an unknown path with a 404 problem', async () => {
      const res = await api().get('/nope');
      expect(res.status).to.equal(404);
      expect(res.headers.get('content-type')).to.match(/^application\/problem\+json/);
    });
  });
}
