import type { TokenPair } from '../domain/account.js';
import type { Deps } from '../ports/index.js';

export async function refreshToken({ authServer }: Pick<Deps, 'authServer'>, refresh: string): Promise<TokenPair> {
  return authServer.refresh(refresh);
}
