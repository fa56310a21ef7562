import { brotliCompressSync, gzipSync } from 'node:zlib';
import { expect } from 'chai';
import { loadOpenApiDocument } from '../../src/adapters/http/contract/openapi-document.js';
import { ApiClient, type ApiResponse } from '../support/api-client.js';
import { requireService } from '../support/availability.js';
import { dotPeerAvailable } from '../support/dot-peer.js';
import { startTestGatehouse, type GatehouseUnderTest, type Mode } from '../support/gatehouse.js';
import { postgresAvailable } from '../support/postgres.js';

type Json = Record<string, any>;
const doc = loadOpenApiDocument().json;
const TOKEN_ROUTES = ['/users/token/', '/users/token/refresh/', '/users/token/revoke/']; // errors in the RFC 6749 §5.2 shape

/** Every operation that takes a body, with the media types it declares. */
const withBodies = Object.entries<Json>(doc.paths).flatMap(([path, item]) => ['post', 'put', 'patch']
  .filter((m) => item[m]?.requestBody).map((method) => ({ path, method: method.toUpperCase(), op: item[method] as Json })));

/** A 400 in the shape the route speaks: the RFC 6749 error on the token routes, problem+json elsewhere. */
function expectClientError(res: ApiResponse, path: string, status = 400): void {
  expect(res.status, res.text).to.equal(status);
  if (TOKEN_ROUTES.includes(path)) expect(res.body.error).to.equal('invalid_request');
  else expect(res.headers.get('content-type')).to.match(/^application\/problem\+json/);
}

/** A Buffer as a fetch body (the DOM typings want a BodyInit; undici sends a Buffer as it is). */
const bytes = (b: Buffer) => b as unknown as BodyInit;
const cursorOf = (parts: unknown) => Buffer.from(JSON.stringify(parts)).toString('base64url');

const MODES: { title: string; mode: Mode }[] = [
  { title: 'embedded', mode: { database: 'embedded', auth: 'embedded' } },
  { title: 'Django OAuth Toolkit', mode: { database: 'postgres', auth: 'dot' } },
];

for (const { title, mode } of MODES) {
  describe(`no input reaches a 5xx (${title})`, function () {
    this.timeout(120_000);
    let server: GatehouseUnderTest;
    let api: ApiClient;
    let user: Awaited<ReturnType<ApiClient['newUser']>>;
    let itemId: number;

    before(async function () {
      if (mode.database === 'postgres') requireService(this, await postgresAvailable(), 'PostgreSQL on 127.0.0.1:5432');
      if (mode.auth === 'dot') requireService(this, dotPeerAvailable(), 'the Django OAuth Toolkit peer');
      server = await startTestGatehouse(mode);
      api = new ApiClient(server.url);
      user = await api.newUser('no5xx');
      itemId = (await api.post('/items/', { token: user.token, json: { name: `no5xx ${title}`, description: '', price: '2.50' } })).body.id;
    });
    after(async () => { await server?.close(); });

    afterEach(function () {
      // Every 5xx is logged with its stack at level 50: none may have been.
      const errors = server.logs.filter((l) => l.includes('"level":50'));
      expect(errors, errors.join('\n').slice(0, 2000)).to.deep.equal([]);
    });

    // Each answered 500 before: PostgreSQL refuses U+0000 in text, and an unpaired surrogate has no UTF-8.
    for (const [what, bad] of [['NUL', 'a\u0000b'], ['an unpaired surrogate', 'a\ud800b']] as const) {
      it(`refuses ${what} in every free-text field with 400 naming the field`, async () => {
        const cases: [string, string, { json?: unknown; form?: Record<string, string> }, string][] = [
          ['POST', '/users/token/', { json: { email: bad, password: 'x' } }, 'email'],
          ['POST', '/users/token/', { json: { email: 'a@example.com', password: bad } }, 'password'],
          ['POST', '/users/token/refresh/', { json: { refresh: bad } }, 'refresh'],
          ['POST', '/users/signup/', { json: { email: 'a@example.com', password: bad, password2: bad } }, '/password'],
          ['PUT', '/users/password/', { json: { old_password: bad, password: 'a new password 1', password2: 'a new password 1' } }, '/old_password'],
          ['POST', '/items/', { json: { name: bad, description: '', price: '1' } }, '/name'],
          ['POST', '/items/', { json: { name: 'fine', description: bad, price: '1' } }, '/description'],
          ['PUT', `/items/${itemId}/`, { json: { name: bad, description: '', price: '1' } }, '/name'],
          ['PATCH', `/items/${itemId}/`, { json: { description: bad } }, '/description'],
        ];
        // A form cannot carry an unpaired surrogate (URL encoding is UTF-8, which has none), but NUL it can.
        if (what === 'NUL') cases.push(['POST', '/users/token/', { form: { grant_type: 'password', username: bad, password: 'x' } }, 'username']);
        for (const [method, path, body, field] of cases) {
          const res = await api.request(method, path, { ...body, token: user.token });
          expectClientError(res, path);
          const named = res.body.errors?.map((e: Json) => e.pointer) ?? [res.body.error_description];
          expect(named.join(' '), `${method} ${path}`).to.include(field);
        }
      });
    }

    it('answers a body that does not decode as its Content-Encoding says with 400, on every operation that takes a body', async () => {
      expect(withBodies.length).to.be.at.least(7);
      const broken: [string, Buffer][] = [
        ['gzip', Buffer.from('this is not gzip')], ['deflate', Buffer.from('nor deflate')], ['br', Buffer.from('nor brotli at all')],
        ['gzip', gzipSync('{"name":"truncated"}').subarray(0, 12)],
      ];
      for (const { path, method } of withBodies) {
        const url = `${server.url}${path.replace('{id}', String(itemId))}`;
        for (const [encoding, body] of broken) {
          const res = await fetch(url, { method, body: bytes(body), headers: { 'Content-Type': 'application/json', 'Content-Encoding': encoding, Authorization: `Bearer ${user.token}` } });
          const text = await res.text();
          expect(res.status, `${method} ${path} ${encoding}: ${text}`).to.equal(400);
          const json = JSON.parse(text);
          if (TOKEN_ROUTES.includes(path)) expect(json.error).to.equal('invalid_request');
          else expect(json.type).to.equal('/problems/malformed_request');
        }
        const unknown = await fetch(url, { method, body: '{}', headers: { 'Content-Type': 'application/json', 'Content-Encoding': 'zstd-ish', Authorization: `Bearer ${user.token}` } });
        expect(unknown.status, `${method} ${path}`).to.equal(415);
        await unknown.text();
      }
    });

    it('reads a body that does decode, gzip and brotli alike', async () => {
      for (const [encoding, compress] of [['gzip', gzipSync], ['br', brotliCompressSync]] as const) {
        const res = await fetch(`${server.url}/items/`, { method: 'POST',
          body: bytes(compress(JSON.stringify({ name: `encoded ${encoding} ${title}`, description: '', price: '1.00' }))),
          headers: { 'Content-Type': 'application/json', 'Content-Encoding': encoding, Authorization: `Bearer ${user.token}` } });
        expect(res.status, await res.text()).to.equal(201);
      }
    });

    it('refuses a tampered pagination cursor with 400 naming cursor', async () => {
      const tampered = [
        cursorOf(['id', 1.5, 1, 'a']), cursorOf(['id', 2147483648, 1, 'a']), cursorOf(['price', 'abc', 1, 'a']),
        cursorOf(['name', 'a\u0000', 1, 'a']), cursorOf(['name', 'a', 2 ** 31, 'a']), cursorOf(['name', 'a', 1, 'a', 'extra']),
        cursorOf(['price', '1.5', 1, 'b']), cursorOf(['name', 'x'.repeat(51), 1, 'a']), cursorOf(['id', 1, 0, 'a']),
        cursorOf({ 0: 'id' }), 'not+base64/at=all', '%00',
      ];
      for (const cursor of tampered) {
        const ordering = JSON.stringify(cursor).includes('price') ? 'price' : 'id';
        const res = await api.get(`/items/?ordering=${ordering}&cursor=${encodeURIComponent(cursor)}`, { token: user.token });
        expect(res.status, cursor).to.equal(400);
        expect(res.body.errors).to.deep.equal([{ parameter: 'cursor', message: 'is not a cursor this server made; use the next or previous link as given' }]);
      }
      // What the server itself writes still works, for every ordering.
      for (const ordering of ['id', '-id', 'name', '-name', 'price', '-price']) {
        const first = await api.get(`/items/?limit=1&ordering=${ordering}`, { token: user.token });
        if (first.body.next) expect((await api.get(new URL(first.body.next).pathname + new URL(first.body.next).search, { token: user.token })).status).to.equal(200);
      }
    });

    it('answers a body of 8,000 unknown fields with one small 400, and lists at most 20 errors with how many more', async () => {
      const wide = Object.fromEntries(Array.from({ length: 8000 }, (_, i) => [i.toString(36), 1])); // ~60 KB, under the 64 KiB limit
      const started = performance.now();
      const res = await api.post('/items/', { token: user.token, json: wide });
      const ms = performance.now() - started;
      expect(res.status).to.equal(400);
      expect(res.text.length).to.be.below(1024);
      expect(res.body.errors).to.deep.equal([{ pointer: '', message: 'has 8000 fields; no operation takes more than 64' }]);
      console.log(`      8,000 unknown fields: ${res.text.length} bytes answered in ${ms.toFixed(1)} ms`);
      // Under the field limit but with many faults: the first 20, and a count of the rest.
      const many = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`k${i}`, 1]));
      const capped = await api.post('/items/', { token: user.token, json: many });
      expect(capped.status).to.equal(400);
      expect(capped.body.errors).to.have.length(20);
      expect(capped.body.detail).to.match(/the first 20 are listed, 43 more are not$/); // 60 unknown + 3 required
      const oauth = await api.post('/users/token/', { json: many });
      expect(oauth.status).to.equal(400);
      expect(oauth.body.error_description).to.match(/; 42 more$/); // 60 unknown + email, password
      expect(oauth.text.length).to.be.below(2048);
    });
  });
}
