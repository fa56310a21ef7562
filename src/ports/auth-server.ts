import type { Account, Credentials, Introspection, PasswordChange, SignUp, TokenPair } from '../domain/account.js';

/**
 * The authorization server that owns accounts, passwords and tokens.
 * Every method may also throw AuthServerUnavailable (unreachable, timed out, 5xx) and
 * AuthServerBadAnswer (an answer that cannot be understood).
 */
export interface AuthServer {
  /**
   * Creates an account. The email arrives normalised (lower case); password rules are the server's.
   * @throws EmailTaken, InvalidInput (field errors with pointers `/email`, `/password`)
   */
  signUp(input: SignUp): Promise<Account>;

  /** Password grant. @throws InvalidGrant (bad credentials), InvalidScope */
  issueToken(credentials: Credentials): Promise<TokenPair>;

  /** Refresh grant; the old refresh token stops working. @throws InvalidGrant */
  refresh(refreshToken: string): Promise<TokenPair>;

  /**
   * Changes the password of the account that `accessToken` belongs to.
   * @throws InvalidInput (`/old_password` wrong, `/password` too weak), InvalidToken
   */
  changePassword(accessToken: string, change: PasswordChange): Promise<void>;

  /** RFC 7009: revokes an access token. Unknown tokens are not an error. */
  revoke(accessToken: string): Promise<void>;

  /** RFC 7662. Unknown, expired and revoked tokens are `{ active: false }`, not errors. */
  introspect(accessToken: string): Promise<Introspection>;

  /** Resolves when the server answers at all; for readiness checks. @throws AuthServerUnavailable */
  ping(): Promise<void>;
}
