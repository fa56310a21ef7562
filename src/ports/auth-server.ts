import type { Account, Credentials, Introspection, PasswordChange, ProofOfPossession, SignUp, TokenPair, TokenTypeHint } from '../domain/account.js';

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

  /**
   * Password grant. A server that can bind tokens (RFC 9449) binds the pair to `proofKey` when
   * given; one that cannot issues bearer tokens, as §5 allows. @throws InvalidGrant (bad credentials), InvalidScope
   */
  issueToken(credentials: Credentials): Promise<TokenPair>;

  /**
   * Refresh grant; the old refresh token stops working. A refresh token of a bound pair refreshes
   * only with a proof by the same key (`proofKey`). @throws InvalidGrant
   */
  refresh(refreshToken: string, proof?: ProofOfPossession): Promise<TokenPair>;

  /**
   * Changes the password of the account that `accessToken` belongs to.
   * @throws InvalidInput (`/old_password` wrong, `/password` too weak), InvalidToken
   */
  changePassword(accessToken: string, change: PasswordChange): Promise<void>;

  /**
   * RFC 7009: revokes an access token or a refresh token, whichever `token` is (`hint` says which
   * to look for first; without it, an access token). An access token goes with its pair; a refresh
   * token with its pair, and with the embedded server its whole family. Every instance is told to
   * stop trusting what was revoked. Unknown, expired and already revoked tokens are not an error.
   * @throws NotSupported (a server with no revocation endpoint)
   */
  revoke(token: string, hint?: TokenTypeHint): Promise<void>;

  /** RFC 7662. Unknown, expired and revoked tokens are `{ active: false }`, not errors. */
  introspect(accessToken: string): Promise<Introspection>;

  /** Resolves when the server answers at all; for readiness checks. @throws AuthServerUnavailable */
  ping(): Promise<void>;
}
