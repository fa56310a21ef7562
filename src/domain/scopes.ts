import { InvalidScope } from './errors.js';

/**
 * The scopes Gatehouse hands out and enforces: `read` for GET, `write` for the rest. The one list:
 * the use cases, the auth-server adapters, the RFC 9728 metadata and the check of openapi.yaml's
 * `security` all read it from here.
 */
export const SCOPES = ['read', 'write'] as const;
export type Scope = (typeof SCOPES)[number];

export const isScope = (word: string): word is Scope => (SCOPES as readonly string[]).includes(word);

/**
 * What a token request asks for (RFC 6749 §3.3, space-separated): nothing means every scope
 * Gatehouse enforces, as DOT does; a word Gatehouse does not hand out is InvalidScope. Servers are
 * never left to fill in a default: DOT's would be all its scopes, `introspection` included, which
 * would let any user introspect other people's tokens.
 */
export function requestedScopes(scope: string | readonly string[] | undefined): Scope[] {
  const words = typeof scope === 'string' ? scope.split(' ').filter(Boolean) : [...(scope ?? [])];
  if (words.length === 0) return [...SCOPES];
  if (!words.every(isScope)) throw new InvalidScope(`unknown scope; the scopes are: ${SCOPES.join(', ')}`);
  return inOrder(words);
}

/** Of the scopes a server says it granted (space-separated), the ones Gatehouse knows; others are dropped. */
export function grantedScopes(scope: string): Scope[] {
  return inOrder(scope.split(' ').filter(isScope));
}

/** A stable order, whatever order they came in: `read write`. */
const inOrder = (scopes: readonly Scope[]): Scope[] => SCOPES.filter((s) => scopes.includes(s));
