import type { TokenTypeHint } from '../domain/account.js';
import type { Deps } from '../ports/index.js';

/**
 * RFC 7009 revocation, what a client calls to sign out. A hint other than the two RFC 7009 names is
 * ignored (§2.1 lets a server search every kind), so a client's odd hint never keeps a token alive.
 */
export async function revokeToken({ authServer }: Pick<Deps, 'authServer'>, token: string, hint?: string): Promise<void> {
  await authServer.revoke(token, hint === 'access_token' || hint === 'refresh_token' ? (hint as TokenTypeHint) : undefined);
}
