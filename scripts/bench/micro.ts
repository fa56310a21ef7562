// `npx tsx scripts/bench/micro.ts [name]`: each micro-optimisation on the hot path against the plain
// code it replaced, in CPU time per operation of this process, no server, no database, no network.
// The comments of those modules quote these numbers; run it again before keeping or removing one.
// Each pair runs interleaved, 9 times; the median of the 9 is printed (a shared machine is noisy,
// the ratio of a pair much less so than either number).
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, type CompiledQuery } from 'kysely';
import pg from 'pg';
import { Deadline } from '../../src/adapters/auth/deadline.js';
import { tokenHash } from '../../src/adapters/auth/token-hash.js';
import { formEncode } from '../../src/adapters/http/answers/form-encode.js';
import { loadOpenApiDocument } from '../../src/adapters/http/contract/openapi-document.js';
import { compileRequestValidators } from '../../src/adapters/http/contract/request-validator.js';
import { listParameters, listQuery, placeholderValues, type ListShape } from '../../src/adapters/db/item-rows.js';
import { ReusableStatement } from '../../src/adapters/db/reusable-statement.js';
import type { Database } from '../../src/adapters/db/schema.js';

const only = process.argv[2];
const koaSearchParams = createRequire(import.meta.url)('koa/lib/search-params.js') as { parse(s: string): Record<string, unknown> };

/** ns per call of `fn`, the median of `rounds` timed loops of `n` calls, each pair interleaved. */
function compare(name: string, n: number, cases: Record<string, () => unknown>): void {
  if (only && !name.includes(only)) return;
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  let sink: unknown;
  for (const fn of Object.values(cases)) for (let i = 0; i < n; i++) sink = fn(); // warm-up: optimised code
  for (let round = 0; round < 9; round++) {
    for (const [label, fn] of Object.entries(cases)) {
      const started = process.cpuUsage();
      for (let i = 0; i < n; i++) sink = fn();
      const used = process.cpuUsage(started);
      samples[label]!.push(((used.user + used.system) * 1000) / n);
    }
  }
  if (sink === Symbol.for('never')) console.log(sink);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  console.log(`\n${name}`);
  for (const [label, xs] of Object.entries(samples)) console.log(`  ${(median(xs) / 1000).toFixed(2).padStart(8)} µs  ${label}`);
}

// 1. The list statement: Kysely builds and compiles it per request, or once with placeholder values.
const db = new Kysely<Database>({
  dialect: {
    createAdapter: () => new PostgresAdapter(), createDriver: () => new DummyDriver(),
    createIntrospector: (k) => new PostgresIntrospector(k), createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});
const secondPage: ListShape = { ordering: 'id', reversed: false, byOwner: false, fromPosition: true };
const reused = new ReusableStatement(listQuery(db, secondPage, placeholderValues('id')));
let at = 1000;
compare('list statement, second page (GET /items/?cursor=…)', 20_000, {
  'built and compiled by Kysely per request': () => listQuery(db, secondPage, { ownerId: 0, key: ++at, id: at, limit: 21 }).compile(),
  'compiled once, run with new parameters': (): CompiledQuery => reused.with(listParameters(secondPage, { ownerId: 0, key: ++at, id: at, limit: 21 })),
});

// 2. The next and previous links of a page.
const itemsUrl = 'http://127.0.0.1:8001/items/';
const query = { limit: 20, ordering: 'id', owner: 'me' };
const cursors = ['WyJpZCIsMjAsMjAsImEiXQ', 'WyJpZCIsMSwxLCJiIl0'];
compare('list links, next and previous', 100_000, {
  'URL and searchParams.set per link': () => cursors.map((cursor) => {
    const url = new URL(itemsUrl);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, String(v));
    url.searchParams.set('cursor', cursor);
    return url.href;
  }),
  'formEncode into a string': () => cursors.map((cursor) => {
    let search = '';
    for (const [k, v] of Object.entries(query)) search += `${formEncode(k)}=${formEncode(String(v))}&`;
    return `${itemsUrl}?${search}cursor=${formEncode(cursor)}`;
  }),
});

// 3. The list query: Koa parses it and ajv validates and coerces it (what queryOf does), or a cache
//    of valid querystrings answers (what queryOf did until this measurement): a hit on a repeated
//    querystring, a miss (key, lookup, validation, insertion, eviction) on a new one, which is what
//    every page after the first is, its cursor being its own.
const validators = compileRequestValidators(loadOpenApiDocument().json);
const parsedAndValidated = (raw: string) => {
  const q: Record<string, unknown> = { ...koaSearchParams.parse(raw) };
  if (validators.query('listItems', q).length) throw new Error('invalid');
  return q;
};
const kept = new Map<string, Readonly<Record<string, unknown>>>();
const viaCache = (raw: string) => {
  const key = `listItems?${raw}`;
  const hit = kept.get(key);
  if (hit) { kept.delete(key); kept.set(key, hit); return { ...hit }; }
  const q = parsedAndValidated(raw);
  if (Object.values(q).every((v) => typeof v !== 'object' || v === null)) {
    if (kept.size >= 256) kept.delete(kept.keys().next().value!);
    kept.set(key, { ...q });
  }
  return q;
};
const cursorQueries = Array.from({ length: 4096 }, (_, i) => `limit=20&cursor=${Buffer.from(JSON.stringify(['id', i, i, 'a'])).toString('base64url')}`);
let page = 0;
compare('list query, the same ?limit=20 each time', 100_000, {
  'Koa parse + ajv validate and coerce': () => parsedAndValidated('limit=20'),
  'cache of valid querystrings, hit': () => viaCache('limit=20'),
});
compare('list query, a new cursor each time', 50_000, {
  'Koa parse + ajv validate and coerce': () => parsedAndValidated(cursorQueries[page++ % 4096]!),
  'cache of valid querystrings, miss': () => viaCache(cursorQueries[page++ % 4096]!),
});

// 4. How a named prepared statement is handed to pg: a config object (which pg clones with
//    getOwnPropertyDescriptors + defineProperties) or a Query made from the text, then named.
const text = 'select "items"."id" from "items" where "items"."id" = $1';
compare('pg query for a named statement', 200_000, {
  'new Query({ name, text, values })': () => new pg.Query({ name: 'gatehouse_1', text, values: [4242] }),
  'new Query(text, values), then named': () => Object.assign(new pg.Query(text, [4242]), { name: 'gatehouse_1' }),
});

// 5. The request a handler gets: an object literal with a `caller` getter, or a class instance.
class Inputs {
  readonly #caller: unknown;
  constructor(readonly params: object, readonly query: object, readonly body: unknown, caller: unknown, readonly ctx: object) { this.#caller = caller; }
  get caller(): unknown { if (!this.#caller) throw new Error('no caller'); return this.#caller; }
}
const ctx = {};
const caller = { user: { id: 1, email: 'a@example.com' } };
compare("a handler's request", 1_000_000, {
  'object literal with a caller getter': () => {
    const known: unknown = caller;
    const request = { params: {}, query: {}, body: undefined, get caller() { if (!known) throw new Error('no caller'); return known; }, ctx };
    return request.caller;
  },
  'class instance, getter on the prototype': () => new Inputs({}, {}, undefined, caller, ctx).caller,
});

// 6. The SHA-256 of a token (introspection cache key, token ledger): a Hash object per call, or one-shot.
const sampleToken = 'Fq8xM3kP0bN2vYc7Lr5WzQe1Hj4Ts6Ud9Ag';
let nth = 0;
compare('token hash', 200_000, {
  "createHash('sha256').update(token).digest('hex')": () => createHash('sha256').update(sampleToken + (++nth & 7)).digest('hex'),
  "crypto.hash('sha256', token, 'hex') (auth/token-hash.ts)": () => tokenHash(sampleToken + (++nth & 7)),
});

// 7. A call's time limit, made and ended as HttpClient does per call to the authorization server.
//    Not counted here: AbortSignal.timeout's timer cannot be cleared, so each of its signals also
//    fires 5 s later and builds a DOMException, and lives until then.
compare("a call's time limit", 100_000, {
  'AbortSignal.timeout(5000)': () => AbortSignal.timeout(5000),
  'new AbortController() + setTimeout, cleared': () => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 5000);
    clearTimeout(timer);
    return controller.signal;
  },
  'Deadline, cleared (auth/deadline.ts)': () => { const deadline = new Deadline(5000); deadline.clear(); return deadline; },
});
