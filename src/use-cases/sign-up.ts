import { assertPasswordsMatch, normalizeEmail, type User } from '../domain/account.js';
import type { Deps } from '../ports/index.js';

export interface SignUpRequest {
  email: string;
  password: string;
  password2: string;
  /** Where the request came from: the embedded server shares password checks fairly by it. */
  client?: string;
}

/** Creates the account at the authorization server and mirrors it locally, so the reply carries our id. */
export async function signUp(
  { authServer, users }: Pick<Deps, 'authServer' | 'users'>, request: SignUpRequest,
): Promise<User> {
  assertPasswordsMatch(request.password, request.password2);
  const account = await authServer.signUp({
    email: normalizeEmail(request.email), password: request.password, ...(request.client ? { client: request.client } : {}),
  });
  return users.mirror(account);
}
