import { normalizeEmail, type Introspection } from '../../domain/account.js';

/**
 * RFC 7662 introspection answers and RFC 9068 JWT access tokens carry the same claims. The subject
 * is `sub` (or `username` from servers that send no `sub`); the email is the `email` claim when
 * the server puts one in its tokens, else the username, else the subject itself. A key binding
 * (cnf.jkt) comes along as `jkt`, for the proof check.
 * Returns undefined for a token that names no user: nobody to act for.
 */
export function userClaims(
  claims: Record<string, unknown>, audience: string | undefined,
): Omit<Extract<Introspection, { active: true }>, 'exp'> | undefined {
  const sub = nonEmpty(claims.sub);
  const username = nonEmpty(claims.username);
  const subject = sub ?? username;
  if (subject === undefined) return undefined;
  // RFC 9068 §2.2: a client acting for itself (client credentials) puts its own id in `sub`.
  if (sub !== undefined && sub === nonEmpty(claims.client_id) && username === undefined) return undefined;
  if (audience !== undefined && !audiences(claims.aud).includes(audience)) return undefined;
  // RFC 9449 §6: a sender-constrained token names its key's thumbprint in cnf.jkt (and, introspected, token_type DPoP).
  const jkt = nonEmpty((claims.cnf as { jkt?: unknown } | undefined)?.jkt);
  const tokenType = nonEmpty(claims.token_type)?.toLowerCase();
  if (tokenType !== undefined && tokenType !== 'bearer' && !(tokenType === 'dpop' && jkt)) return undefined; // not an access token we can check
  const email = nonEmpty(claims.email) ?? username ?? subject;
  const scope = typeof claims.scope === 'string' ? claims.scope : '';
  return { active: true, subject, email: normalizeEmail(email), scopes: scope.split(' ').filter(Boolean), ...(jkt ? { jkt } : {}) };
}

function audiences(aud: unknown): string[] {
  if (typeof aud === 'string') return [aud];
  return Array.isArray(aud) ? aud.filter((a): a is string => typeof a === 'string') : [];
}

function nonEmpty(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
