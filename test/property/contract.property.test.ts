import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { expect } from 'chai';
import fc from 'fast-check';
import { loadOpenApiDocument } from '../../src/adapters/http/contract/openapi-document.js';
import { ApiClient } from '../support/api-client.js';
import { assertMatchesContract } from '../support/contract.js';
import { requireService } from '../support/availability.js';
import { dotPeerAvailable } from '../support/dot-peer.js';
import { startTestGatehouse, type GatehouseUnderTest, type Mode } from '../support/gatehouse.js';
import { postgresAvailable } from '../support/postgres.js';
import { encoding, junkString, junkValue, mutated, resolver, tamperedCursor, valid, type Encoding } from './arbitraries.js';

type Json = Record<string, any>;

/** One generated request, printed as fast-check's counterexample when a property fails. */
interface Shot { method: string; path: string; headers: Record<string, string>; body?: string; encoding?: Encoding }

const doc = loadOpenApiDocument().json;
const resolve = resolver(doc);
const METHODS = ['get', 'put', 'post', 'delete', 'patch'];
const operations = Object.entries<Json>(doc.paths).flatMap(([template, item]) => METHODS.filter((m) => item[m])
  .map((method) => ({ template, method, op: item[method] as Json, parameters: [...(item.parameters ?? []), ...(item[method].parameters ?? [])].map(resolve) })));
const WRONG_TYPES = ['text/plain', 'application/xml', 'multipart/form-data; boundary=x', 'application/json; charset=latin1', 'application/merge-patch+json'];
// Under 8 KiB: past the 16 KiB header limit the HTTP parser answers 431 before any operation is matched
// (documented in the spec's introduction and tested in test/http/hardening.test.ts), so no operation lists it.
const pathJunk = junkString.filter((v) => v.length < 8192);
const headerSafe = (v: string) => /^[\x20-\x7e]*$/.test(v) && v.trim() === v && v.length < 8192;

/**
 * A value as a path segment. A URL cannot carry an unpaired surrogate (encodeURIComponent throws), so
 * one becomes what a client could send in its place: the bytes UTF-8 has no character for (%ED%A0%80).
 */
const pathSegment = (v: string) => (v as string & { toWellFormed(): string }).toWellFormed().split('\ufffd').map(encodeURIComponent).join('%ED%A0%80');

/** A generated value as a form field: objects (some without a prototype, so no toString) as their JSON. */
const formValue = (v: unknown) => (typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v));

/** The body as sent on the wire, with its Content-Encoding header when it has one. */
function encoded(shot: Shot): { body: BodyInit | null; headers: Record<string, string> } {
  if (shot.body === undefined || !shot.encoding || shot.encoding === 'identity') return { body: shot.body ?? null, headers: shot.headers };
  const compress = { gzip: gzipSync, deflate: deflateSync, br: brotliCompressSync };
  const [name, bytes] = shot.encoding === 'gzip-broken' ? ['gzip', gzipSync(shot.body).subarray(0, 10)]
    : shot.encoding === 'br-broken' ? ['br', Buffer.from(shot.body)]
      : shot.encoding === 'unknown' ? ['x-squash', Buffer.from(shot.body)]
        : [shot.encoding, compress[shot.encoding](shot.body)];
  return { body: bytes as unknown as BodyInit, headers: { ...shot.headers, 'Content-Encoding': name } };
}

async function fire(base: string, shot: Shot, logs: string[] = []): Promise<void> {
  const { body: wire, headers } = encoded(shot);
  const res = await fetch(new URL(shot.path, base), { method: shot.method, headers, body: wire, redirect: 'manual' });
  const text = await res.text();
  const contentType = res.headers.get('content-type') ?? '';
  const body = text && /json/.test(contentType) ? JSON.parse(text) : text || undefined;
  const why = () => logs.filter((l) => l.includes('"level":50')).slice(-1).join('').slice(0, 1500); // the logged cause of a 500
  expect(res.status, `${shot.method} ${shot.path}: ${text.slice(0, 300)} ${res.status === 500 ? why() : ''}`).to.be.below(500);
  assertMatchesContract({ method: shot.method, path: shot.path, status: res.status, headers: res.headers, body, contentType });
}

const MODES: { title: string; mode: Mode }[] = [
  { title: 'embedded', mode: { database: 'embedded', auth: 'embedded' } },
  { title: 'Django OAuth Toolkit', mode: { database: 'postgres', auth: 'dot' } },
];

for (const { title, mode } of MODES) describe(`every operation in openapi.yaml under generated and mutated requests, ${title} (fast-check)`, function () {
  this.timeout(180_000);
  let server: GatehouseUnderTest;
  const tokens: Record<string, string> = {};
  const ids: number[] = [];

  before(async function () {
    if (mode.database === 'postgres') requireService(this, await postgresAvailable(), 'PostgreSQL on 127.0.0.1:5432');
    if (mode.auth === 'dot') requireService(this, dotPeerAvailable(), 'the Django OAuth Toolkit peer');
    server = await startTestGatehouse(mode);
    const api = new ApiClient(server.url);
    const [owner, other, reader] = [await api.newUser('prop'), await api.newUser('prop-other'), await api.newUser('prop-reader', 'read')];
    Object.assign(tokens, { write: owner.token, other: other.token, read: reader.token, junk: 'not-a-token-at-all' });
    for (const [token, name] of [[owner.token, 'prop lamp'], [owner.token, 'prop desk'], [other.token, 'not yours']] as const) {
      ids.push((await api.post('/items/', { token, json: { name, description: 'seed', price: '1.00' } })).body.id);
    }
  });
  after(async () => { await server?.close(); });

  const shotFor = ({ template, method, op, parameters }: (typeof operations)[number]): fc.Arbitrary<Shot> => {
    const param = (p: Json): fc.Arbitrary<unknown> => p.name === 'id'
      ? fc.oneof(fc.constantFrom(...ids), valid(p.schema, resolve), pathJunk)
      : p.name === 'cursor' ? fc.oneof(tamperedCursor, tamperedCursor, junkString)
        : fc.oneof(valid(p.schema ?? {}, resolve), p.in === 'path' ? pathJunk : junkString);
    const params = fc.record(Object.fromEntries(parameters.map((p) => [`${p.in}:${p.name}`,
      p.required ? param(p) : fc.option(param(p), { nil: undefined })])));
    const content: Json = resolve(op.requestBody)?.content ?? {};
    const media = Object.keys(content);
    const body = media.length
      ? fc.constantFrom(...media, ...WRONG_TYPES).chain((type) => {
        const good = valid(content[type]?.schema ?? content[media[0]!].schema, resolve);
        return fc.tuple(fc.constant(type), fc.oneof(good, good, mutated(good), junkString.map((raw) => ({ raw }))));
      })
      : fc.option(fc.tuple(fc.constant('application/json'), junkValue), { nil: undefined });
    const auth = op.security?.length === 0 ? fc.constant('none') : fc.constantFrom('write', 'write', 'write', 'other', 'read', 'junk', 'none', 'malformed');
    return fc.tuple(params, body, auth, encoding).map(([values, sent, who, wireEncoding]) => {
      let path = template;
      const query = new URLSearchParams();
      const headers: Record<string, string> = {};
      for (const [key, value] of Object.entries(values)) {
        if (value === undefined) continue;
        const [where, name] = key.split(':') as [string, string];
        if (where === 'path') path = path.replace(`{${name}}`, pathSegment(String(value)));
        else if (where === 'query' && String(value).length < 8192) query.set(name, String(value)); // the 431 again
        else if (where === 'header' && headerSafe(String(value))) headers[name] = String(value);
      }
      if (who === 'malformed') headers.Authorization = 'Bearer';
      else if (who !== 'none') headers.Authorization = `Bearer ${tokens[who]}`;
      const shot: Shot = { method: method.toUpperCase(), path: query.size ? `${path}?${query}` : path, headers };
      if (sent && method !== 'get') { // fetch cannot send a GET with a body
        const [type, value] = sent;
        headers['Content-Type'] = type;
        const raw = (value as { raw?: string } | undefined)?.raw;
        shot.body = raw ?? (type.includes('urlencoded') && typeof value === 'object' && value !== null
          ? new URLSearchParams(Object.entries(value).map(([k, v]) => [k, formValue(v)])).toString() : JSON.stringify(value) ?? '');
        shot.encoding = wireEncoding;
      }
      return shot;
    });
  };

  it('answers no 5xx and nothing outside the contract, for 300 requests across every operation', async () => {
    expect(operations.length).to.be.at.least(18);
    const started = Date.now();
    await fc.assert(fc.asyncProperty(fc.oneof(...operations.map(shotFor)), (shot) => fire(server.url, shot, server.logs)), {
      numRuns: 300, interruptAfterTimeLimit: 60_000, markInterruptAsFailure: true,
      // Fixed so CI is repeatable; FC_SEED=random (or a number) explores further.
      seed: process.env.FC_SEED === 'random' ? Date.now() : Number(process.env.FC_SEED ?? 20261128),
    });
    expect(Date.now() - started).to.be.below(60_000);
  });

  // What earlier runs found, kept as plain requests so a seed change cannot lose them.
  const json = (body: unknown) => ({ headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const form = (body: string) => ({ headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body });
  for (const [name, shot] of Object.entries<Shot>({
    'a blank refresh token as JSON': { method: 'POST', path: '/users/token/refresh/', ...json({ refresh: ' ' }) },
    'a blank refresh token as a form': { method: 'POST', path: '/users/token/refresh/', ...form('grant_type=refresh_token&refresh_token=%20') },
    'a blank email and password': { method: 'POST', path: '/users/token/', ...json({ email: ' ', password: ' ' }) },
    'a form field sent twice': { method: 'POST', path: '/users/token/', ...form('grant_type=password&username=a&username=b&password=x') },
    'an empty path segment': { method: 'GET', path: '/items//', headers: {} },
  })) {
    it(`answers ${name} within the contract`, async () => {
      if (shot.path.startsWith('/items')) shot.headers.Authorization = `Bearer ${tokens.write}`;
      await fire(server.url, shot, server.logs);
    });
  }
});
