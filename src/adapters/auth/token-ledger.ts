import type { Account, Credentials, Introspection, PasswordChange, ProofOfPossession, SignUp, TokenPair, TokenTypeHint } from '../../domain/account.js';
import { InvalidGrant } from '../../domain/errors.js';
import type { AuthServer } from '../../ports/auth-server.js';
import type { HashedPair, TokenLedger } from '../../ports/token-ledger.js';
import type { RetirementChannel } from '../../ports/retirement-channel.js';
import { tokenHash as sha256 } from './token-hash.js';

export interface TokenLedgerSettings {
  /**
   * Set when the server keeps tokens valid across a password change (DOT 1.7): Gatehouse then
   * retires every token of the account it has seen itself, and checks each introspection against
   * the ledger. `subjectOf` names the subject a password grant's tokens introspect as, so a pair
   * is the account's from the moment it is issued, before its access token is ever used.
   */
  retireOnPasswordChange?: { subjectOf(credentials: Credentials): string };
  /** For revocations, which need nothing from the ledger. */
  channel: RetirementChannel;
  log: { warn(fields: object, message: string): void };
}

export function withTokenLedger(inner: AuthServer, ledger: TokenLedger, settings: TokenLedgerSettings): AuthServer {
  return new LedgeredAuthServer(inner, ledger, settings);
}

/**
 * Under the introspection cache, so `introspect` runs on cache misses only: one look-up by primary
 * key each, and one write the first time any instance sees a token. What the server has done
 * (issued, refreshed, changed a password) is never undone by a ledger failure: that is logged, and
 * the answer still reaches the client.
 */
class LedgeredAuthServer implements AuthServer {
  constructor(private readonly inner: AuthServer, private readonly ledger: TokenLedger, private readonly settings: TokenLedgerSettings) {}

  signUp(input: SignUp): Promise<Account> { return this.inner.signUp(input); }
  ping(): Promise<void> { return this.inner.ping(); }

  async issueToken(credentials: Credentials): Promise<TokenPair> {
    const pair = await this.inner.issueToken(credentials);
    await this.quietly('issueToken', () => this.ledger.issued(hashed(pair), this.settings.retireOnPasswordChange?.subjectOf(credentials)));
    return pair;
  }

  async refresh(refreshToken: string, proof?: ProofOfPossession): Promise<TokenPair> {
    const refreshHash = sha256(refreshToken);
    if (this.settings.retireOnPasswordChange && (await this.ledger.refreshRetired(refreshHash))) {
      throw new InvalidGrant('the refresh token is invalid, used or revoked'); // the server would still honour it
    }
    const pair = await this.inner.refresh(refreshToken, proof);
    await this.quietly('refresh', () => this.ledger.refreshed(refreshHash, hashed(pair)));
    return pair;
  }

  async changePassword(accessToken: string, change: PasswordChange): Promise<void> {
    await this.inner.changePassword(accessToken, change);
    if (!this.settings.retireOnPasswordChange) return;
    await this.quietly('changePassword', async () => {
      let subject = (await this.ledger.find(sha256(accessToken)))?.subject;
      if (!subject) {
        const claims = await this.inner.introspect(accessToken); // the server keeps it valid, so it still answers
        subject = claims.active ? claims.subject : undefined;
      }
      if (subject) await this.ledger.retireSubject(subject);
    });
  }

  /**
   * Retired here whether or not the server could revoke it: a refresh token's access token too,
   * when the ledger knows their pair, so no instance's cache keeps trusting it.
   */
  async revoke(token: string, hint?: TokenTypeHint): Promise<void> {
    try {
      await this.inner.revoke(token, hint);
    } finally {
      await this.quietly('revoke', async () => {
        const hash = sha256(token);
        const accessHash = await this.ledger.retire(hash);
        await this.settings.channel.publish([{ tokenHash: accessHash ?? hash }]);
      });
    }
  }

  async introspect(accessToken: string): Promise<Introspection> {
    if (!this.settings.retireOnPasswordChange) return this.inner.introspect(accessToken);
    const tokenHash = sha256(accessToken);
    const known = await this.ledger.find(tokenHash);
    if (known?.retired) return { active: false };
    const claims = await this.inner.introspect(accessToken);
    if (claims.active && known?.subject !== claims.subject) await this.ledger.introspected(tokenHash, claims.subject, new Date(claims.exp * 1000));
    return claims;
  }

  private async quietly(call: string, work: () => Promise<unknown>): Promise<void> {
    try {
      await work();
    } catch (err) {
      this.settings.log.warn({ call, err: err instanceof Error ? err.message : String(err) }, 'token ledger: could not record what the auth server did; other instances may trust a retired token until its cache entry expires');
    }
  }
}

function hashed(pair: TokenPair): HashedPair {
  return { tokenHash: sha256(pair.accessToken), refreshHash: sha256(pair.refreshToken), expiresIn: pair.expiresIn };
}

