import http from 'node:http';
import { expect } from 'chai';
import { ApiClient } from '../support/api-client.js';
import { startTestGatehouse, type GatehouseUnderTest } from '../support/gatehouse.js';

const PUBLIC_URL = 'https://api.example.com/gw';

/** A GET with a Host header of our choosing (fetch will not send one), body parsed when JSON. */
function getWithHost(base: string, path: string, host: string, token?: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: any }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request({ hostname, port, path, method: 'GET', setHost: false,
      headers: { Host: host, ...(token ? { Authorization: `Bearer ${token}` } : {}) } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d) => { text += d; }).on('end', () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text && /json/.test(res.headers['content-type'] ?? '') ? JSON.parse(text) : text });
      });
    });
    req.on('error', reject).end();
  });
}

/** Every absolute http(s) URL in a value, however deep. */
function urlsIn(value: unknown): string[] {
  return (JSON.stringify(value ?? null).match(/https?:\/\/[^"\s,]+/g) ?? []);
}

describe('PUBLIC_URL: absolute URLs never come from the Host header', function () {
  this.timeout(60_000);
  let server: GatehouseUnderTest;
  let api: ApiClient;
  let token: string;

  before(async () => {
    server = await startTestGatehouse({ database: 'embedded', auth: 'embedded', env: { PUBLIC_URL: `${PUBLIC_URL}/` } });
    api = new ApiClient(server.url);
    token = (await api.newUser('host')).token;
    for (const name of ['host lamp', 'host desk']) {
      expect((await api.post('/items/', { token, json: { name, description: '', price: '1.00' } })).status).to.equal(201);
    }
  });
  after(async () => { await server?.close(); });

  // Each of these answered 500 (the URL parser threw) or was echoed into links and challenges.
  for (const host of ['evil.example', 'exa mple.com', '[::1', 'a:99999', 'a%zz', 'x?y#z', '']) {
    it(`answers Host ${JSON.stringify(host)} with links, metadata and challenges under PUBLIC_URL only`, async () => {
      const list = await getWithHost(server.url, '/items/?limit=1', host, token);
      expect(list.status).to.equal(200);
      expect(list.body.next).to.match(new RegExp(`^${PUBLIC_URL}/items/\\?limit=1&ordering=id&cursor=`));
      const metadata = await getWithHost(server.url, '/.well-known/oauth-protected-resource', host);
      expect(metadata.body).to.include({ resource: PUBLIC_URL, resource_documentation: `${PUBLIC_URL}/docs` });
      expect(metadata.body.authorization_servers).to.deep.equal([PUBLIC_URL]);
      const challenge = await getWithHost(server.url, '/items/', host);
      expect(challenge.status).to.equal(401);
      expect(challenge.headers['www-authenticate']).to.match(new RegExp(`resource_metadata="${PUBLIC_URL}/\\.well-known/oauth-protected-resource"$`));
      for (const url of [...urlsIn(list.body), ...urlsIn(metadata.body)]) expect(url.startsWith(PUBLIC_URL), url).to.equal(true);
    });
  }

  it('serves both metadata documents at the well-known paths with PUBLIC_URL\'s path inserted (RFC 8414 §3, RFC 9728 §3.1)', async () => {
    const resource = await api.get('/.well-known/oauth-protected-resource/gw');
    expect(resource.status).to.equal(200);
    expect(resource.body.resource).to.equal(PUBLIC_URL);
    const server = await api.get('/.well-known/oauth-authorization-server/gw');
    expect(server.status).to.equal(200);
    expect(server.body).to.include({ issuer: PUBLIC_URL, token_endpoint: `${PUBLIC_URL}/users/token/`, revocation_endpoint: `${PUBLIC_URL}/users/token/revoke/` });
    expect((await api.get('/.well-known/oauth-authorization-server')).body).to.deep.equal(server.body);
    expect((await api.get('/.well-known/oauth-authorization-server/other')).status).to.equal(404);
  });

  it('follows a next link built from PUBLIC_URL to the next page', async () => {
    const first = await api.get('/items/?limit=1', { token });
    const next = new URL(first.body.next);
    const second = await api.get(`/items/${next.search}`, { token });
    expect(second.status).to.equal(200);
    expect(second.body.results[0].id).to.not.equal(first.body.results[0].id);
  });

  it('names PUBLIC_URL as the served document\'s only server, for client generators', async () => {
    expect((await api.get('/openapi.json')).body.servers).to.deep.equal([{ url: PUBLIC_URL, description: 'This Gatehouse (its PUBLIC_URL).' }]);
    // Swagger UI reads its own copy, whose relative server calls whichever host served the page, under PUBLIC_URL's path.
    expect((await fetch(`${server.url}/docs/openapi.json`).then((r) => r.json())).servers[0].url).to.equal('/gw');
  });
});
