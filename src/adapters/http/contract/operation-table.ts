import { isScope, SCOPES, type Scope } from '../../../domain/scopes.js';
import { deref } from './json-pointer.js';
import type { OperationId } from './operations.js';

/** What the document says of one operation, read once at start-up. */
export interface OperationEntry {
  operationId: OperationId;
  method: 'get' | 'put' | 'post' | 'delete' | 'patch';
  /** As written in the document: `/items/{id}/`. */
  path: string;
  /** Absent for `security: []`; else the scope its requirements name (none: any valid token). */
  auth?: { scope?: Scope };
  /** How its errors are answered: the RFC 6749 shape where its 400 is an OAuthError, else problem+json. */
  errors: 'oauth' | 'problem';
  /** Its path parameters and what they hold. */
  pathParams: { name: string; integer?: { minimum: number; maximum: number } }[];
  hasQuery: boolean;
  hasBody: boolean;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/** Every operation of the document by operationId; a document that breaks the rules below stops the start. */
export function operationTable(doc: Record<string, any>): Map<string, OperationEntry> {
  const table = new Map<string, OperationEntry>();
  for (const [path, item] of Object.entries<any>(doc.paths ?? {})) {
    for (const method of METHODS.filter((m) => item[m]?.operationId)) {
      const op = item[method];
      const parameters = [...(item.parameters ?? []), ...(op.parameters ?? [])].map((p) => deref(doc, p));
      table.set(op.operationId, {
        operationId: op.operationId, method, path,
        ...authOf(doc, op),
        errors: deref(doc, op.responses?.['400'])?.content?.['application/json']?.schema?.$ref === OAUTH_ERROR ? 'oauth' : 'problem',
        pathParams: parameters.filter((p) => p.in === 'path').map((p) => {
          const schema = deref(doc, p.schema);
          return schema?.type === 'integer'
            ? { name: p.name, integer: { minimum: schema.minimum ?? 0, maximum: schema.maximum ?? Number.MAX_SAFE_INTEGER } }
            : { name: p.name };
        }),
        hasQuery: parameters.some((p) => p.in === 'query'),
        hasBody: op.requestBody !== undefined,
      });
    }
  }
  return table;
}

/**
 * `security: []` is public; otherwise every requirement must name the same scopes (bearerAuth and
 * oauth2 are two ways to send one token), at most one of them, and one Gatehouse enforces.
 */
function authOf(doc: Record<string, any>, op: Record<string, any>): Pick<OperationEntry, 'auth'> {
  const requirements: Record<string, string[]>[] = op.security ?? doc.security ?? [];
  if (requirements.length === 0) return {};
  const scopes = [...new Set(requirements.flatMap((r) => Object.values(r).flat()))];
  if (scopes.length > 1 || (scopes[0] !== undefined && !isScope(scopes[0]))) {
    throw new Error(`${op.operationId}: its security must name one scope out of ${SCOPES.join(', ')}, not ${scopes.join(', ')}`);
  }
  return { auth: scopes[0] === undefined ? {} : { scope: scopes[0] as Scope } };
}

const OAUTH_ERROR = '#/components/schemas/OAuthError';
