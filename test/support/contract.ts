import { AssertionError } from 'node:assert';
import ajv2020 from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import { loadOpenApiDocument } from '../../src/adapters/http/contract/openapi-document.js';

export interface SeenResponse {
  method: string;
  path: string;
  status: number;
  headers: Headers | Record<string, string>;
  /** Parsed JSON, or text, or undefined when empty. */
  body: unknown;
  contentType?: string;
}

const ROOT = 'urn:gatehouse:contract';
const STANDARD_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
type Json = Record<string, any>;

/**
 * Throws an AssertionError when the response breaks openapi.yaml: a status the operation does not
 * document, another content type, a body off its schema (objects are closed: an undocumented field
 * fails), or a missing required header. A path the document lacks may only answer a 404 problem.
 */
export function assertMatchesContract(res: SeenResponse): void {
  const c = contract();
  const fail = (why: string): never => {
    const body = res.body === undefined ? '' : ` ${JSON.stringify(res.body).slice(0, 400)}`;
    throw new AssertionError({ message: `${res.method} ${res.path} → ${res.status}: ${why}${body}` });
  };
  const pathname = new URL(res.path, 'http://contract.invalid').pathname;
  const pathItem = c.findPath(pathname);
  const method = res.method.toLowerCase() === 'head' ? 'get' : res.method.toLowerCase();
  const operation = pathItem?.[method] as Json | undefined;
  const fallback = !STANDARD_METHODS.includes(method) ? [501] : !pathItem ? [404] : !operation ? [405] : [];
  let response: Json | undefined;
  if (operation) {
    const responses: Json = operation.responses ?? {};
    response = c.resolve(responses[String(res.status)] ?? responses[`${Math.floor(res.status / 100)}XX`] ?? responses.default);
    if (!response) fail(`status ${res.status} is not documented for ${operation.operationId} (${Object.keys(responses).join(', ')})`);
  } else if (fallback.includes(res.status)) {
    // Koa answers these itself; the problem renderer promises problem+json for them too.
    response = { content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } };
    if (res.status === 405) response.headers = { Allow: { required: true, schema: { type: 'string' } } };
  } else {
    fail(pathItem ? `${res.method} is not documented for this path` : 'the path is not in openapi.yaml, so only a 404 problem may answer');
  }
  checkHeaders(c, response!, res.headers, fail);
  if (res.method.toLowerCase() !== 'head') checkBody(c, response!, res, fail);
}

function checkHeaders(c: Contract, response: Json, headers: SeenResponse['headers'], fail: (why: string) => never): void {
  for (const [name, ref] of Object.entries<Json>(response.headers ?? {})) {
    const header = c.resolve(ref) ?? {};
    const value = headerOf(headers, name);
    if (value === undefined) {
      if (header.required) fail(`the required header ${name} is missing`);
      continue;
    }
    const validate = c.validator(header.schema ?? {}, true);
    if (!validate(value)) fail(`header ${name}: ${value} ${c.errorsText(validate)}`);
  }
}

function checkBody(c: Contract, response: Json, res: SeenResponse, fail: (why: string) => never): void {
  const content: Json = response.content ?? {};
  const empty = res.body === undefined || res.body === '';
  if (Object.keys(content).length === 0) {
    if (!empty) fail('the body should be empty');
    return;
  }
  const given = res.contentType || headerOf(res.headers, 'content-type') || '';
  const mediaType = (given.split(';')[0] ?? '').trim().toLowerCase();
  // A documented `text/plain; version=0.0.4` matches a response's `text/plain; version=0.0.4; charset=utf-8`.
  const withParameters = Object.keys(content).find((key) => key.includes(';') && (key.split(';')[0] ?? '').trim() === mediaType);
  const media = content[mediaType] ?? (withParameters && content[withParameters]) ?? content[`${mediaType.split('/')[0]}/*`] ?? content['*/*'];
  if (!media) fail(`content type "${given}" is not one of ${Object.keys(content).join(', ')}`);
  if (empty) fail('the body is empty');
  const validate = c.validator(media.schema ?? {}, false);
  if (!validate(res.body)) fail(`the body does not match the schema: ${c.errorsText(validate)}`);
  if (mediaType === 'application/problem+json' && (res.body as Json).status !== res.status) {
    fail('the problem\'s status differs from the HTTP status');
  }
}

function headerOf(headers: SeenResponse['headers'], name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : headers[key];
}

interface Contract {
  findPath(pathname: string): Json | undefined;
  resolve(node: Json | undefined): Json | undefined;
  validator(schema: Json, coerce: boolean): ValidateFunction;
  errorsText(validate: ValidateFunction): string;
}

let loaded: Contract | undefined;
const contract = (): Contract => (loaded ??= loadContract());

function loadContract(): Contract {
  const doc = loadOpenApiDocument().json;
  const trim = (p: string) => (p.length > 1 ? p.replace(/\/$/, '') : p);
  // Literal paths first, so /items/export/ would win over /items/{id}/.
  const templates = Object.keys(doc.paths ?? {})
    .sort((a, b) => a.split('{').length - b.split('{').length)
    .map((template) => ({ template, regex: new RegExp(`^${trim(template).split(/\{[^}]+\}/)
      .map((part) => part.replace(/[.*+?^$()|[\]\\]/g, '\\$&')).join('[^/]+')}$`) }));

  const schemas = Object.fromEntries(Object.entries<Json>(doc.components?.schemas ?? {}).map(([k, s]) => [k, closed(s)]));
  const ajvs = [false, true].map((coerce) => {
    const ajv = new ajv2020.default({ allErrors: true, strict: true, allowUnionTypes: true, coerceTypes: coerce });
    ajvFormats.default(ajv);
    for (const keyword of ['example', 'discriminator', 'xml', 'externalDocs', 'x-error-message', 'components']) ajv.addKeyword(keyword);
    ajv.addSchema({ $id: ROOT, components: { schemas } });
    return ajv;
  });
  const cache = new Map<string, ValidateFunction>();
  return {
    findPath: (pathname) => {
      const found = templates.find(({ regex }) => regex.test(trim(pathname)));
      return found && doc.paths[found.template];
    },
    resolve: (node) => {
      let at = node;
      while (typeof at?.$ref === 'string') {
        at = (at.$ref as string).slice(2).split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'))
          .reduce((o: Json | undefined, k) => o?.[k], doc);
      }
      return at;
    },
    validator: (schema, coerce) => {
      const key = `${coerce} ${JSON.stringify(schema)}`;
      let validate = cache.get(key);
      if (!validate) cache.set(key, validate = ajvs[coerce ? 1 : 0]!.compile(closed(schema)));
      return validate;
    },
    errorsText: (validate) => (validate.errors ?? [])
      .map((e) => `${e.instancePath || '(root)'} ${e.message} ${JSON.stringify(e.params)}`).join('; '),
  };
}

/**
 * A copy of a schema whose objects accept no property they do not document, and whose
 * `#/components/…` references point into the registered copy of the components.
 */
function closed(schema: unknown): any {
  if (Array.isArray(schema)) return schema.map(closed);
  if (typeof schema !== 'object' || schema === null) return schema;
  const s = schema as Json;
  const copy: Json = {};
  for (const [key, value] of Object.entries(s)) {
    if (key === '$ref' && typeof value === 'string' && value.startsWith('#/')) copy.$ref = `${ROOT}${value}`;
    else if (['properties', 'patternProperties', '$defs', 'dependentSchemas'].includes(key)) {
      copy[key] = Object.fromEntries(Object.entries<unknown>(value).map(([k, v]) => [k, closed(v)]));
    } else if (['items', 'prefixItems', 'additionalProperties', 'anyOf', 'oneOf', 'allOf', 'not', 'if', 'then', 'else', 'contains'].includes(key)) {
      copy[key] = closed(value);
    } else copy[key] = value; // enum, const, examples, default: data, not schemas
  }
  const isObject = s.type === 'object' || (Array.isArray(s.type) && s.type.includes('object')) || 'properties' in s;
  if (isObject && !('additionalProperties' in s) && !('unevaluatedProperties' in s)) copy.unevaluatedProperties = false;
  return copy;
}
