import ajv2020 from 'ajv/dist/2020.js';
import type { ErrorObject, Options, ValidateFunction } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import type { FieldError } from '../../../domain/errors.js';

export interface RequestValidators {
  /** Validates a parsed body for an operation and media type; returns [] when valid. */
  body(operationId: string, mediaType: string, body: unknown): FieldError[];
  /** Validates and coerces (in place: strings → integers, defaults applied) the query object; returns [] when valid. */
  query(operationId: string, query: Record<string, unknown>): FieldError[];
  /** true when the operation declares a request body for this media type (e.g. 'application/json', 'application/x-www-form-urlencoded'). */
  accepts(operationId: string, mediaType: string): boolean;
}

// CommonJS modules: imported from ESM, their default export is `module.exports`, which holds `.default`.
const Ajv2020 = ajv2020.default;
const addFormats = ajvFormats.default;

/** The document's components, registered under this id, so `#/components/schemas/X` resolves as written. */
const ROOT = 'urn:gatehouse:openapi';
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
/** OpenAPI's own schema keywords, and ours: `x-error-message` words the error a pattern or anyOf gives. */
const ANNOTATIONS = ['example', 'discriminator', 'xml', 'externalDocs', 'x-error-message', 'x-discriminator', 'components', 'x-operations'];

export function compileRequestValidators(doc: Record<string, any>): RequestValidators {
  const operations: Record<string, { bodies: Record<string, unknown>; query: Record<string, unknown> }> = {};
  for (const [path, item] of Object.entries<any>(doc.paths ?? {})) {
    for (const method of METHODS.filter((m) => item[m]?.operationId)) {
      const op = item[method];
      const content = resolve(doc, op.requestBody)?.content ?? {};
      const bodies = Object.fromEntries(Object.entries<any>(content).map(([media, m]) => [media.toLowerCase(), m.schema ?? {}]));
      const params = [...(item.parameters ?? []), ...(op.parameters ?? [])].map((p) => resolve(doc, p))
        .filter((p) => p.in === 'query');
      const query = {
        type: 'object',
        properties: Object.fromEntries(params.map((p) => [p.name, p.schema ?? {}])),
        required: params.filter((p) => p.required).map((p) => p.name),
      };
      if (operations[op.operationId]) throw new Error(`${path}: operationId ${op.operationId} is used twice`);
      operations[op.operationId] = { bodies, query };
    }
  }
  const readOnly = readOnlyNames(doc.components?.schemas ?? {});
  const wrapper = { $id: ROOT, components: doc.components ?? {}, 'x-operations': operations };
  const bodyAjv = newAjv({}, wrapper);
  // Coercion and defaults are per instance, so two; the first already checked the wrapper against the
  // 2020-12 meta-schema, so the second skips compiling that meta-schema again (~tens of ms of start-up).
  const queryAjv = newAjv({ coerceTypes: true, useDefaults: true, validateSchema: false }, wrapper);
  const compiled = (ajv: InstanceType<typeof Ajv2020>, pointer: string): ValidateFunction => ajv.compile({ $ref: `${ROOT}#${pointer}` });

  // Compiled now, not on first use: a schema ajv cannot compile stops the start-up, not a request.
  const bodyValidators = new Map<string, (body: object) => ValidateFunction>();
  const queryValidators = new Map<string, ValidateFunction>();
  for (const [operationId, { bodies }] of Object.entries(operations)) {
    const base = `/x-operations/${escape(operationId)}`;
    for (const [media, schema] of Object.entries(bodies)) {
      const pointer = `${base}/bodies/${escape(media)}`;
      bodyValidators.set(`${operationId} ${media}`, branchPicker(doc, schema, pointer, (at) => compiled(bodyAjv, at)));
    }
    queryValidators.set(operationId, compiled(queryAjv, `${base}/query`));
  }

  return {
    accepts: (operationId, mediaType) => bodyValidators.has(`${operationId} ${essence(mediaType)}`),
    body(operationId, mediaType, body) {
      const pick = bodyValidators.get(`${operationId} ${essence(mediaType)}`);
      if (!pick) throw new Error(`${operationId} declares no ${mediaType} body: check accepts() first`);
      if (typeof body !== 'object' || body === null || Array.isArray(body)) return [{ pointer: '', message: 'must be a JSON object' }];
      const validate = pick(body);
      return validate(body) ? [] : toFieldErrors(validate.errors ?? [], readOnly, (path) => ({ pointer: path }));
    },
    query(operationId, query) {
      const validate = queryValidators.get(operationId);
      if (!validate) throw new Error(`no operation ${operationId} in the OpenAPI document`);
      return validate(query) ? [] : toFieldErrors(validate.errors ?? [], readOnly,
        (path) => ({ parameter: unescape(path.split('/')[1] ?? '') }));
    },
  };
}

/**
 * A body schema that is a `oneOf` with `x-discriminator: <field>` (the token endpoint's grants) is
 * checked against the one branch whose `<field>` const the body names, or the first when it names
 * none of them: the client then hears what is wrong with the request it meant, not that it matches
 * none of the alternatives. Any other schema is checked as a whole.
 */
function branchPicker(
  doc: Record<string, any>, schema: any, pointer: string, compile: (pointer: string) => ValidateFunction,
): (body: object) => ValidateFunction {
  const field = schema?.['x-discriminator'];
  if (typeof field !== 'string' || !Array.isArray(schema.oneOf)) {
    const whole = compile(pointer);
    return () => whole;
  }
  const branches = (schema.oneOf as unknown[]).map((branch, i) => ({
    value: resolve(doc, branch)?.properties?.[field]?.const as unknown,
    validate: compile(`${pointer}/oneOf/${i}`),
  }));
  const first = branches[0]!.validate;
  return (body) => branches.find((b) => b.value !== undefined && b.value === (body as Record<string, unknown>)[field])?.validate ?? first;
}

/**
 * `multipleOf` on doubles: ajv divides and asks how far the quotient is from an integer. For a price
 * (`multipleOf: 0.01`, below 10^12) that distance is up to 0.016 for valid two-place values (doubles
 * near 10^14 are 1/64 apart): exactness refuses 0.07 and 2.3, a tolerance of 10^-2 one price in 40
 * near 10^12; 10^-1 accepts every valid price and refuses 1.005. Values within 0.001 of a cent
 * (1.001) pass here and are refused by normalizePrice, with the same 400 naming /price.
 */
const MULTIPLE_OF_PRECISION = 1;

function newAjv(options: Options, wrapper: Record<string, unknown>): InstanceType<typeof Ajv2020> {
  const ajv = new Ajv2020({
    ...options, allErrors: true, strict: true, allowUnionTypes: true, verbose: true, multipleOfPrecision: MULTIPLE_OF_PRECISION,
  });
  addFormats(ajv);
  for (const keyword of ANNOTATIONS) ajv.addKeyword(keyword);
  ajv.addSchema(wrapper);
  return ajv;
}

/** Ajv's errors as short, human field errors. `verbose` puts the value in `data`: it is never read. */
function toFieldErrors(
  errors: ErrorObject[], readOnly: Set<string>, at: (pointer: string) => Omit<FieldError, 'message'>,
): FieldError[] {
  // An anyOf reports every branch's failure and then its own: keep only its own.
  const composites = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf');
  const kept = errors.filter((e) => !composites.some((c) => c !== e && e.schemaPath.startsWith(`${c.schemaPath}/`)));
  const seen = new Set<string>();
  return kept.flatMap((e) => {
    const property = e.keyword === 'required' ? e.params.missingProperty
      : e.keyword === 'additionalProperties' ? e.params.additionalProperty : undefined;
    const pointer = property === undefined ? e.instancePath : `${e.instancePath}/${escape(String(property))}`;
    const error = { ...at(pointer), message: messageOf(e, readOnly.has(String(property))) };
    const key = JSON.stringify(error);
    if (seen.has(key)) return [];
    seen.add(key);
    return [error];
  });
}

function messageOf(e: ErrorObject, isReadOnly: boolean): string {
  // A schema's own words for what its pattern or alternatives mean; its length or type errors keep theirs.
  const custom = (e.parentSchema as Record<string, unknown> | undefined)?.['x-error-message'];
  if (typeof custom === 'string' && WORDED_KEYWORDS.has(e.keyword)) return custom;
  const p = e.params as Record<string, any>;
  switch (e.keyword) {
    case 'required': return 'is required';
    case 'additionalProperties': return isReadOnly ? 'is read-only' : 'is not allowed';
    case 'type': return `must be ${String(p.type).split(',').map((t) => TYPE_NAMES[t] ?? t).join(' or ')}`;
    case 'minLength': return p.limit === 1 ? 'must not be empty' : `must be at least ${p.limit} characters`;
    case 'maxLength': return `must be at most ${p.limit} characters`;
    case 'minimum': return `must be at least ${p.limit}`;
    case 'maximum': return `must be at most ${p.limit}`;
    case 'exclusiveMinimum': return `must be more than ${p.limit}`;
    case 'exclusiveMaximum': return `must be less than ${p.limit}`;
    case 'enum': return `must be one of: ${(p.allowedValues as unknown[]).join(', ')}`;
    case 'const': return `must be ${JSON.stringify(p.allowedValue)}`;
    case 'minProperties': return p.limit === 1 ? 'must have at least one field' : `must have at least ${p.limit} fields`;
    case 'format': return p.format === 'email' ? 'must be an email address' : `must be a valid ${p.format}`;
    case 'pattern': return 'has an invalid format';
    default: return e.message ?? 'is invalid'; // ajv's own words quote the schema, never the value
  }
}

/** Keywords whose ajv message would say nothing useful ("must match pattern …"): x-error-message words them. */
const WORDED_KEYWORDS = new Set(['pattern', 'anyOf', 'oneOf']);

const TYPE_NAMES: Record<string, string> = {
  string: 'a string', integer: 'an integer', number: 'a number', boolean: 'true or false',
  object: 'an object', array: 'an array', null: 'null',
};

/** Property names some component marks readOnly: sending one is "read-only" rather than "not allowed". */
function readOnlyNames(schemas: Record<string, any>): Set<string> {
  const names = new Set<string>();
  const walk = (node: unknown): void => {
    if (typeof node !== 'object' || node === null) return;
    const properties = (node as { properties?: Record<string, any> }).properties ?? {};
    for (const [name, schema] of Object.entries(properties)) if (schema?.readOnly === true) names.add(name);
    Object.values(node).forEach(walk);
  };
  walk(schemas);
  return names;
}

/** Follows a `#/components/…` reference to a parameter or request body. */
function resolve(doc: Record<string, any>, node: any): any {
  if (typeof node?.$ref !== 'string') return node;
  const target = (node.$ref as string).replace(/^#\//, '').split('/').map(unescape).reduce((at: any, key) => at?.[key], doc);
  if (target === undefined) throw new Error(`unresolved $ref ${node.$ref}`);
  return resolve(doc, target);
}

/** `application/json; charset=utf-8` → `application/json`. */
const essence = (mediaType: string) => (mediaType.split(';')[0] ?? '').trim().toLowerCase();
const escape = (token: string) => token.replace(/~/g, '~0').replace(/\//g, '~1');
const unescape = (token: string) => token.replace(/~1/g, '/').replace(/~0/g, '~');
