import type { TokenPair } from '../domain/account.js';
import type { Deps } from '../ports/index.js';

/** `proofKey`: the thumbprint of the DPoP key the client proved it holds with this request, if it sent a proof. */
export async function refreshToken({ authServer }: Pick<Deps, 'authServer'>, refresh: string, proofKey?: string): Promise<TokenPair> {
  return authServer.refresh(refresh, proofKey);
}
