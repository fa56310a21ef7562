import type { Caller, Scope } from '../domain/account.js';
import { InsufficientScope, InvalidDpopProof, InvalidToken, Unauthenticated } from '../domain/errors.js';
import type { Deps } from '../ports/index.js';

/** An access token as a request presents it: as `Authorization: Bearer`, or `DPoP` with a proof. */
export type PresentedToken = { token: string; proofKey?: undefined } | ProvenToken;

export interface ProvenToken {
  token: string;
  /**
   * The RFC 7638 thumbprint of the key in this request's proof, whose claims the HTTP adapter
   * checked (method, URL, the token's hash, iat, jti present), its signature not yet.
   */
  proofKey: string;
  /**
   * Proves the sender holds that key (the proof's signature) and spends the proof (its jti): run
   * only once the token is known to be good and bound to `proofKey`, so that a request with any
   * other token costs no signature check and writes nothing. @throws InvalidDpopProof
   */
  confirmProof: () => Promise<void>;
}

export interface AuthenticationPolicy {
  /** DPOP_REQUIRED: only sender-constrained tokens, presented with a proof. */
  requireProof: boolean;
}

/**
 * Turns a presented token into a caller, or throws. The scope is checked on every request against
 * the (possibly cached) claims, never only when they were first fetched. A token bound to a key
 * (RFC 9449 `cnf.jkt`) works only with a proof by that key: sent as a bearer token, it is what a
 * thief would send. A proof with an unbound token proves nothing about the token: refused too.
 */
export async function authenticate(
  { authServer, users }: Pick<Deps, 'authServer' | 'users'>,
  presented: PresentedToken | undefined,
  requiredScope: Scope | undefined,
  nowSeconds: number = Date.now() / 1000,
  policy: AuthenticationPolicy = { requireProof: false },
): Promise<Caller> {
  if (!presented) throw new Unauthenticated();
  const { token, proofKey } = presented;
  if (policy.requireProof && proofKey === undefined) {
    throw new InvalidToken('this server accepts only DPoP-bound tokens, sent as Authorization: DPoP with a proof');
  }
  const claims = await authServer.introspect(token);
  if (!claims.active || claims.exp <= nowSeconds) throw new InvalidToken();
  if (claims.jkt !== undefined && proofKey === undefined) {
    throw new InvalidToken('this token is bound to a key: send it as Authorization: DPoP with a proof by that key');
  }
  if (proofKey !== undefined && claims.jkt === undefined) {
    throw new InvalidToken('this token is not bound to a key: send it as Authorization: Bearer');
  }
  if (proofKey !== claims.jkt) throw new InvalidDpopProof('the proof\'s key is not the one the token is bound to');
  if (presented.proofKey !== undefined) await presented.confirmProof();
  const scopes = new Set(claims.scopes);
  if (requiredScope && !scopes.has(requiredScope)) throw new InsufficientScope(requiredScope);
  const user = await users.mirror({ subject: claims.subject, email: claims.email });
  // Gatehouse's own flag, whatever the authorization server still says of the token.
  if (!user.isActive) throw new InvalidToken('the account is disabled');
  return { user, subject: claims.subject, scopes, token };
}
