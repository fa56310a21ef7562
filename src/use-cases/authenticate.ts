import type { Caller, Scope } from '../domain/account.js';
import { InsufficientScope, InvalidToken, Unauthenticated } from '../domain/errors.js';
import type { Deps } from '../ports/index.js';

/**
 * Turns a bearer token into a caller, or throws. The scope is checked on every request against
 * the (possibly cached) claims, never only when they were first fetched.
 */
export async function authenticate(
  { authServer, users }: Pick<Deps, 'authServer' | 'users'>,
  token: string | undefined,
  requiredScope: Scope | undefined,
  nowSeconds: number = Date.now() / 1000,
): Promise<Caller> {
  if (!token) throw new Unauthenticated();
  const claims = await authServer.introspect(token);
  if (!claims.active || claims.exp <= nowSeconds) throw new InvalidToken();
  const scopes = new Set(claims.scopes);
  if (requiredScope && !scopes.has(requiredScope)) throw new InsufficientScope(requiredScope);
  const user = await users.mirror({ subject: claims.subject, email: claims.email });
  return { user, subject: claims.subject, scopes, token };
}
