import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { parseDocument } from 'yaml';
import { loadOpenApiDocument } from '../../src/adapters/http/contract/openapi-document.js';
import { compileRequestValidators } from '../../src/adapters/http/contract/request-validator.js';
import { ERROR_CODES } from '../../src/domain/errors.js';
import { assertMatchesContract, type SeenResponse } from '../support/contract.js';

const document = loadOpenApiDocument();
const validators = compileRequestValidators(document.json);
const METHODS = ['get', 'put', 'post', 'delete', 'patch'];
const operations = Object.values<Record<string, any>>(document.json.paths)
  .flatMap((item) => METHODS.filter((m) => item[m]).map((m) => item[m] as Record<string, any>));

const anItem = { id: 7, name: 'Desk lamp', description: '', price: '12.50', user: { id: 1, email: 'a@example.com' } };
const seen = (overrides: Partial<SeenResponse>): SeenResponse => ({
  method: 'GET', path: '/items/7/', status: 200, headers: { 'Content-Type': 'application/json', ETag: '"v1"' },
  body: anItem, contentType: 'application/json; charset=utf-8', ...overrides,
});

/** Follows `#/…` references in the document. */
function deref(node: any): any {
  let at = node;
  while (typeof at?.$ref === 'string') at = (at.$ref as string).slice(2).split('/').reduce((o: any, k) => o?.[k.replace(/~1/g, '/').replace(/~0/g, '~')], document.json);
  return at;
}

/** Every string schema a request body or query can carry, with where it is. */
function requestStrings(): { where: string; schema: Record<string, any> }[] {
  const found: { where: string; schema: Record<string, any> }[] = [];
  const walk = (node: any, where: string, seen: Set<unknown>): void => {
    const schema = deref(node);
    if (typeof schema !== 'object' || schema === null || seen.has(schema)) return;
    seen.add(schema);
    const types = [schema.type].flat();
    if (types.includes('string')) found.push({ where, schema });
    for (const [name, child] of Object.entries<any>(schema.properties ?? {})) walk(child, `${where}/${name}`, seen);
    for (const child of [...(schema.anyOf ?? []), ...(schema.oneOf ?? []), ...(schema.allOf ?? [])]) walk(child, where, seen);
    if (schema.items) walk(schema.items, `${where}/items`, seen);
  };
  for (const item of Object.values<any>(document.json.paths)) {
    for (const method of METHODS.filter((m) => item[m])) {
      const op = item[method];
      for (const [media, content] of Object.entries<any>(deref(op.requestBody)?.content ?? {})) walk(content.schema, `${op.operationId} ${media}`, new Set());
      for (const p of [...(item.parameters ?? []), ...(op.parameters ?? [])].map(deref)) {
        // Path ids are digits; header values are bytes in which Node's HTTP parser already refuses NUL.
        if (p.in === 'query') walk(p.schema, `${op.operationId} ${p.in} ${p.name}`, new Set());
      }
    }
  }
  return found;
}

describe('openapi.yaml', () => {
  it('refuses NUL and unpaired surrogates in every string a request can carry (PostgreSQL stores neither)', () => {
    const strings = requestStrings();
    expect(strings.length).to.be.greaterThan(15);
    for (const { where, schema } of strings) {
      if (schema.enum || schema.const !== undefined) continue; // a fixed list refuses them already
      expect(schema.pattern, `${where} has no pattern`).to.be.a('string');
      const pattern = new RegExp(schema.pattern, 'u'); // as ajv compiles it
      for (const bad of ['a\u0000b', 'a\ud800b', '\udc00']) expect(pattern.test(bad), `${where} accepts ${JSON.stringify(bad)}`).to.equal(false);
    }
  });

  it('parses without a YAML error or warning, as OpenAPI 3.1', () => {
    const parsed = parseDocument(document.yaml);
    expect([...parsed.errors, ...parsed.warnings].map((e) => e.message)).to.deep.equal([]);
    expect(document.json.openapi).to.equal('3.1.0');
  });

  it('lints clean with Redocly: no error, no warning', async function () {
    this.timeout(60_000);
    const { stdout } = await promisify(execFile)('node_modules/.bin/redocly', ['lint', 'openapi.yaml', '--format=json'],
      { env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' } });
    const report = JSON.parse(stdout) as { totals: { errors: number; warnings: number }; problems: unknown[] };
    expect(report.totals, JSON.stringify(report.problems)).to.include({ errors: 0, warnings: 0 });
  });

  it('gives every operation an id, summary, description, tag, and examples for every request body', () => {
    expect(operations.length).to.be.greaterThan(10);
    for (const op of operations) {
      expect(op, op.operationId).to.include.keys('operationId', 'summary', 'description', 'tags', 'responses');
      for (const [media, content] of Object.entries<any>(op.requestBody?.content ?? {})) {
        expect(content.examples, `${op.operationId} ${media}`).to.be.an('object').that.is.not.empty;
      }
    }
  });
});

describe('request validators', () => {
  const item = { name: 'Desk lamp', description: 'brass', price: '12.50' };
  const pointers = (body: unknown, operationId = 'createItem') =>
    validators.body(operationId, 'application/json', body).map((e) => e.pointer);

  it('accepts a valid item, with the price as a string or a number', () => {
    expect(validators.body('createItem', 'application/json', item)).to.deep.equal([]);
    expect(validators.body('createItem', 'application/json', { ...item, price: 12.5 })).to.deep.equal([]);
  });

  it('calls a user or id read-only, pointing at the field', () => {
    const errors = validators.body('createItem', 'application/json', { ...item, user: { id: 1 }, id: 3 });
    expect(errors).to.deep.include({ pointer: '/user', message: 'is read-only' });
    expect(errors).to.deep.include({ pointer: '/id', message: 'is read-only' });
  });

  it('points at a 51-character name and a three-place price, without echoing them', () => {
    const errors = validators.body('createItem', 'application/json', { ...item, name: 'n'.repeat(51), price: '1.234' });
    expect(errors.map((e) => e.pointer)).to.have.members(['/name', '/price']);
    expect(errors.find((e) => e.pointer === '/name')?.message).to.equal('must be at most 50 characters');
    expect(JSON.stringify(errors)).not.to.include('1.234');
  });

  it('names each missing field, and the body itself when it is not an object', () => {
    expect(pointers({})).to.have.members(['/name', '/description', '/price']);
    expect(validators.body('createItem', 'application/json', [])).to.deep.equal([{ pointer: '', message: 'must be a JSON object' }]);
    expect(pointers('x')).to.deep.equal(['']);
    expect(pointers({}, 'updateItem')).to.deep.equal(['']);
  });

  it('never echoes a refused password', () => {
    const errors = validators.body('signUp', 'application/json', { email: 'a@example.com', password: 's3cret!'.repeat(600), password2: 'x' });
    expect(errors.map((e) => e.pointer)).to.deep.equal(['/password']);
    expect(JSON.stringify(errors)).not.to.include('s3cret');
  });

  it('knows which media types each operation accepts', () => {
    expect(validators.accepts('getToken', 'application/x-www-form-urlencoded')).to.equal(true);
    expect(validators.accepts('signUp', 'application/x-www-form-urlencoded')).to.equal(false);
    expect(validators.accepts('createItem', 'application/json; charset=utf-8')).to.equal(true);
    expect(validators.body('getToken', 'application/x-www-form-urlencoded',
      { grant_type: 'password', username: 'a@example.com', password: 'pw', client_id: 'swagger' })).to.deep.equal([]);
  });

  it('names the parameter for limit=0, and coerces limit=5 applying the defaults', () => {
    expect(validators.query('listItems', { limit: '0' })).to.deep.equal([{ parameter: 'limit', message: 'must be at least 1' }]);
    const query: Record<string, unknown> = { limit: '5' };
    expect(validators.query('listItems', query)).to.deep.equal([]);
    expect(query).to.deep.equal({ limit: 5, ordering: 'id' });
    expect(validators.query('listItems', { ordering: 'colour' }).map((e) => e.parameter)).to.deep.equal(['ordering']);
  });
});

describe('assertMatchesContract', () => {
  it('passes a documented response, with or without the trailing slash and a query', () => {
    assertMatchesContract(seen({}));
    assertMatchesContract(seen({ path: '/items/7' }));
    assertMatchesContract(seen({ path: 'http://127.0.0.1:8001/items/7/?x=1' }));
  });

  it('fails on a field the schema does not document', () => {
    expect(() => assertMatchesContract(seen({ body: { ...anItem, owner: 1 } }))).to.throw(/owner|must NOT have unevaluated/);
    expect(() => assertMatchesContract(seen({ body: { ...anItem, user: { ...anItem.user, name: 'A' } } }))).to.throw();
  });

  it('fails on a status the operation does not document', () => {
    expect(() => assertMatchesContract(seen({ status: 418 }))).to.throw(/418 is not documented/);
  });

  it('fails on a missing required header and on the wrong content type', () => {
    expect(() => assertMatchesContract(seen({ headers: {} }))).to.throw(/ETag/);
    expect(() => assertMatchesContract(seen({ contentType: 'text/plain' }))).to.throw(/content type/);
    expect(() => assertMatchesContract(seen({ status: 503, headers: {}, contentType: 'application/problem+json',
      body: { type: '/problems/database_unavailable', title: 'Database unavailable', status: 503, detail: 'down' } }))).to.throw(/Retry-After/);
  });

  it('lets an unknown path answer only a 404 problem', () => {
    const notFound = { type: '/problems/not_found', title: 'Not found', status: 404, detail: 'no resource at /nope' };
    assertMatchesContract(seen({ path: '/nope', status: 404, headers: {}, body: notFound, contentType: 'application/problem+json' }));
    expect(() => assertMatchesContract(seen({ path: '/nope', status: 200 }))).to.throw(/not in openapi.yaml/);
  });
});

describe('the error codes', () => {
  it('documents every domain error code: in the table of problem types, or as an RFC 6749 error of the token routes', () => {
    const description = String(document.json.info.description);
    const oauthErrors: string[] = document.json.components.schemas.OAuthError.properties.error.enum;
    for (const code of ERROR_CODES) {
      if (!description.includes(`| \`/problems/${code}\` |`)) expect(oauthErrors, code).to.include(code);
    }
  });
});
