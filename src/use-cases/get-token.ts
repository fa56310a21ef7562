import { normalizeEmail, type ProofOfPossession, type TokenPair } from '../domain/account.js';
import { InvalidGrant } from '../domain/errors.js';
import { requestedScopes } from '../domain/scopes.js';
import type { Deps } from '../ports/index.js';

export interface TokenRequest {
  email: string;
  password: string;
  /** Space-separated, as in RFC 6749 §3.3; absent means every scope Gatehouse enforces. */
  scope?: string;
  /** The DPoP proof sent with this request, if any: the server checks it once the password is. */
  proof?: ProofOfPossession;
  /** Where the request came from: the embedded server shares password checks fairly by it. */
  client?: string;
}

/** A password grant, refused (without asking the server) for an account staff deactivated. */
export async function getToken({ authServer, users }: Pick<Deps, 'authServer' | 'users'>, request: TokenRequest): Promise<TokenPair> {
  const known = await users.findByEmail(normalizeEmail(request.email));
  if (known && !known.isActive) throw new InvalidGrant('the account is disabled');
  return authServer.issueToken({
    email: normalizeEmail(request.email),
    password: request.password,
    scopes: requestedScopes(request.scope),
    ...(request.proof ? { proof: request.proof } : {}),
    ...(request.client ? { client: request.client } : {}),
  });
}
