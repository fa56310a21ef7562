import type { ProofOfPossession, TokenPair } from '../domain/account.js';
import { InvalidGrant } from '../domain/errors.js';
import type { Deps } from '../ports/index.js';

/**
 * A refresh grant. `proof`: the DPoP proof sent with this request, if any; the server checks it
 * once the refresh token is good. The server does not know Gatehouse's flags: the new access token
 * says whose it is, and for an account staff deactivated it is revoked at once and the grant refused.
 */
export async function refreshToken(
  { authServer, users }: Pick<Deps, 'authServer' | 'users'>, refresh: string, proof?: ProofOfPossession,
): Promise<TokenPair> {
  const pair = await authServer.refresh(refresh, proof);
  const claims = await authServer.introspect(pair.accessToken);
  const user = claims.active ? await users.findBySubject(claims.subject) : undefined;
  if (user && !user.isActive) {
    await authServer.revoke(pair.accessToken).catch(() => undefined); // refused either way; the token also expires
    throw new InvalidGrant('the account is disabled');
  }
  return pair;
}
