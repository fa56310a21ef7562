import type { ErrorObject } from 'ajv/dist/2020.js';
import type { FieldError } from '../../../domain/errors.js';
import { escapeToken } from './json-pointer.js';

/**
 * Ajv's errors said to a client: one short message per field at fault, in the API's words, never
 * quoting the value sent. The validators (request-validator.ts) decide what is checked; this, how a
 * failure reads.
 */

/** Ajv's errors as short, human field errors. `verbose` puts the value in `data`: it is never read. */
export function toFieldErrors(
  errors: ErrorObject[], readOnly: Set<string>, at: (pointer: string) => Omit<FieldError, 'message'>,
): FieldError[] {
  // An anyOf reports every branch's failure and then its own: keep only its own.
  const composites = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf');
  const kept = errors.filter((e) => !composites.some((c) => c !== e && e.schemaPath.startsWith(`${c.schemaPath}/`)));
  const seen = new Set<string>();
  return kept.flatMap((e) => {
    const property = e.keyword === 'required' ? e.params.missingProperty
      : e.keyword === 'additionalProperties' ? e.params.additionalProperty : undefined;
    const pointer = property === undefined ? e.instancePath : `${e.instancePath}/${escapeToken(String(property))}`;
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
export function readOnlyNames(schemas: Record<string, any>): Set<string> {
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
