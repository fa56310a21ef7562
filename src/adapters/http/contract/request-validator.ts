import ajv2020 from 'ajv/dist/2020.js';
import type { Options, ValidateFunction } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import type { FieldError } from '../../../domain/errors.js';
import { readOnlyNames, toFieldErrors } from './field-errors.js';
import { deref, escapeToken, unescapeToken } from './json-pointer.js';

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
      const content = deref(doc, op.requestBody)?.content ?? {};
      const bodies = Object.fromEntries(Object.entries<any>(content).map(([media, m]) => [media.toLowerCase(), m.schema ?? {}]));
      const params = [...(item.parameters ?? []), ...(op.parameters ?? [])].map((p) => deref(doc, p))
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
    const base = `/x-operations/${escapeToken(operationId)}`;
    for (const [media, schema] of Object.entries(bodies)) {
      const pointer = `${base}/bodies/${escapeToken(media)}`;
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
        (path) => ({ parameter: unescapeToken(path.split('/')[1] ?? '') }));
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
    value: deref(doc, branch)?.properties?.[field]?.const as unknown,
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

/** `application/json; charset=utf-8` → `application/json`. */
const essence = (mediaType: string) => (mediaType.split(';')[0] ?? '').trim().toLowerCase();
