import { normalizeEmail, SCOPES, type Scope, type TokenPair } from '../domain/account.js';
import { InvalidScope } from '../domain/errors.js';
import type { Deps } from '../ports/index.js';

export interface TokenRequest {
  email: string;
  password: string;
  /** Space-separated, as in RFC 6749 §3.3; absent means every scope Gatehouse enforces. */
  scope?: string;
}

export async function getToken({ authServer }: Pick<Deps, 'authServer'>, request: TokenRequest): Promise<TokenPair> {
  return authServer.issueToken({
    email: normalizeEmail(request.email),
    password: request.password,
    scopes: parseScopes(request.scope),
  });
}

/**
 * Only `read` and `write` are ever asked for: DOT grants all its scopes when none is named,
 * `introspection` included, which would let any user introspect other people's tokens.
 */
export function parseScopes(scope: string | undefined): Scope[] {
  const words = (scope ?? '').split(' ').filter(Boolean);
  if (words.length === 0) return [...SCOPES];
  const unknown = words.filter((w) => !(SCOPES as readonly string[]).includes(w));
  if (unknown.length > 0) throw new InvalidScope(`unknown scope; the scopes are: ${SCOPES.join(', ')}`);
  return SCOPES.filter((s) => words.includes(s));
}
