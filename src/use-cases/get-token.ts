import { normalizeEmail, type TokenPair } from '../domain/account.js';
import { requestedScopes } from '../domain/scopes.js';
import type { Deps } from '../ports/index.js';

export interface TokenRequest {
  email: string;
  password: string;
  /** Space-separated, as in RFC 6749 §3.3; absent means every scope Gatehouse enforces. */
  scope?: string;
  /** The thumbprint of the DPoP key the client proved it holds with this request, if it sent a proof. */
  proofKey?: string;
}

export async function getToken({ authServer }: Pick<Deps, 'authServer'>, request: TokenRequest): Promise<TokenPair> {
  return authServer.issueToken({
    email: normalizeEmail(request.email),
    password: request.password,
    scopes: requestedScopes(request.scope),
    ...(request.proofKey ? { proofKey: request.proofKey } : {}),
  });
}
