import { assertPasswordsMatch, type Caller } from '../domain/account.js';
import type { Deps } from '../ports/index.js';

export interface PasswordChangeRequest {
  oldPassword: string;
  password: string;
  password2: string;
  /** Where the request came from: the embedded server shares password checks fairly by it. */
  client?: string;
}

/**
 * Changes the caller's password, then revokes the token that made the change: some servers (DOT)
 * keep every token valid across a password change, which defeats the point of changing it.
 */
export async function changePassword(
  { authServer }: Pick<Deps, 'authServer'>, caller: Caller, request: PasswordChangeRequest,
): Promise<void> {
  assertPasswordsMatch(request.password, request.password2);
  await authServer.changePassword(caller.token, {
    oldPassword: request.oldPassword, password: request.password, ...(request.client ? { client: request.client } : {}),
  });
  // The password is changed now. A failed revocation must not turn that into an error the client
  // would retry (with the old password, which no longer works): the token still expires on its own.
  await authServer.revoke(caller.token).catch(() => undefined);
}
