import net from 'node:net';
import { expect } from 'chai';
import { ApiClient } from '../support/api-client.js';
import { startTestGatehouse, type GatehouseUnderTest } from '../support/gatehouse.js';

const APP = 'https://app.example.com';

describe('hardening at the HTTP edge', function () {
  this.timeout(60_000);
  let server: GatehouseUnderTest;
  let api: ApiClient;

  before(async () => {
    server = await startTestGatehouse({ database: 'embedded', auth: 'embedded', env: { CORS_ORIGINS: APP } });
    api = new ApiClient(server.url);
  });
  after(async () => { await server?.close(); });

  it('sends security headers on answers and on problems alike', async () => {
    for (const res of [await api.get('/healthz'), await api.get('/items/')]) {
      expect(res.headers.get('x-content-type-options')).to.equal('nosniff');
      expect(res.headers.get('content-security-policy')).to.include("script-src 'self'");
      expect(res.headers.get('x-frame-options')).to.equal('SAMEORIGIN');
    }
  });

  it('answers CORS preflights for allowed origins only', async () => {
    const preflight = (origin: string) => fetch(`${server.url}/items/`, {
      method: 'OPTIONS',
      headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization,content-type' },
    });
    const allowed = await preflight(APP);
    expect(allowed.status).to.equal(204);
    expect(allowed.headers.get('access-control-allow-origin')).to.equal(APP);
    expect(allowed.headers.get('access-control-allow-headers')).to.include('Authorization');
    const other = await preflight('https://evil.example');
    expect(other.headers.get('access-control-allow-origin')).to.equal(null);
    const simple = await api.get('/healthz', { headers: { Origin: APP } });
    expect(simple.headers.get('access-control-allow-origin')).to.equal(APP);
  });

  it('refuses a body nested deeper than 32 levels with 400, naming the body', async () => {
    const user = await api.newUser('deep');
    const deep = `{"name":"deep","description":"","price":"1","x":${'['.repeat(5000)}${']'.repeat(5000)}}`;
    const res = await api.post('/items/', { token: user.token, raw: { body: deep, type: 'application/json' } });
    expect(res.status).to.equal(400);
    expect(res.body.errors).to.deep.equal([{ pointer: '', message: 'nests deeper than 32 levels' }]);
  });

  it('closes a connection whose headers never finish (slowloris) instead of holding it', async function () {
    this.timeout(20_000);
    const { port } = new URL(server.url);
    const socket = net.connect(Number(port), '127.0.0.1');
    socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
    const dribble = setInterval(() => socket.write('X-Slow: 1\r\n'), 1_000);
    const started = Date.now();
    const answer = await new Promise<string>((resolve) => {
      let data = '';
      socket.on('data', (d) => { data += d; });
      socket.on('close', () => resolve(data));
    });
    clearInterval(dribble);
    expect(Date.now() - started).to.be.within(9_000, 13_000);
    expect(problemIn(answer, 408).type).to.equal('/problems/request_timeout');
  });

  it('answers headers over 16 KiB with a 431 problem, before any route runs', async () => {
    // Raw, not through the contract-checking client: no operation was matched, so no operation documents it.
    const answer = await rawExchange(new URL(server.url), `GET /items/ HTTP/1.1\r\nHost: x\r\nX-Big: ${'x'.repeat(17 * 1024)}\r\n\r\n`);
    expect(problemIn(answer, 431).type).to.equal('/problems/headers_too_large');
  });

  it('answers the two spellings of a path and nothing else', async () => {
    const user = await api.newUser('slashes');
    const statusOf = async (path: string) => (await fetch(`${server.url}${path}`, { headers: { Authorization: `Bearer ${user.token}` } })).status;
    expect(await statusOf('/items/')).to.equal(200);
    expect(await statusOf('/items')).to.equal(200);
    for (const path of ['/items//', '//items/', '/items///', '/healthz/']) expect(await statusOf(path), path).to.equal(404);
  });

  it('answers a request that is not HTTP with a 400 problem', async () => {
    const answer = await rawExchange(new URL(server.url), 'GET /items/ HTTP/1.1\r\nHost x\r\n\r\n'); // no colon
    expect(problemIn(answer, 400).type).to.equal('/problems/malformed_request');
  });
});

/** Sends `request` on a fresh connection and resolves with everything the server wrote before closing. */
function rawExchange(url: URL, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(url.port), url.hostname, () => socket.write(request));
    let data = '';
    socket.on('data', (d) => { data += d; });
    socket.on('close', () => resolve(data));
    socket.on('error', reject);
  });
}

/** The problem+json body of a raw HTTP answer, after checking its status line and media type. */
function problemIn(answer: string, status: number): { type: string; status: number } {
  const [head, body] = answer.split('\r\n\r\n');
  expect(head).to.match(new RegExp(`^HTTP/1\\.1 ${status} `));
  expect(head).to.match(/\r\ncontent-type: application\/problem\+json\r\n/i);
  const problem = JSON.parse(body!);
  expect(problem.status).to.equal(status);
  return problem;
}

describe('Swagger UI turned off', function () {
  this.timeout(60_000);
  let server: GatehouseUnderTest;
  before(async () => { server = await startTestGatehouse({ database: 'embedded', auth: 'embedded', env: { DOCS_ENABLED: 'false' } }); });
  after(async () => { await server?.close(); });

  it('answers /docs with 404 while the contract stays available', async () => {
    expect((await fetch(`${server.url}/docs`)).status).to.equal(404);
    expect((await fetch(`${server.url}/docs/swagger-ui-bundle.js`)).status).to.equal(404);
    expect((await fetch(`${server.url}/openapi.json`)).status).to.equal(200);
  });
});
