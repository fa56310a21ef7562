import { randomBytes } from 'node:crypto';
import { normalizeEmail, type Account, type Credentials, type Introspection, type PasswordChange, type ProofOfPossession, type SignUp, type TokenPair, type TokenTypeHint } from '../../domain/account.js';
import { grantedScopes, requestedScopes, type Scope } from '../../domain/scopes.js';
import { AuthServerUnavailable, DatabaseUnavailable, EmailTaken, InvalidGrant, InvalidInput, InvalidToken, type FieldError } from '../../domain/errors.js';
import type { EmbeddedAccounts, StoredPair } from '../../ports/embedded-accounts.js';
import type { AuthServer } from '../../ports/index.js';
import type { PasswordCheckLimits } from './password-check-limiter.js';
import { PasswordChecker } from './password-checker.js';
import { passwordProblems } from './password-policy.js';
import { refuseSpentRefreshToken, type AuthServerLog, type RefreshReuseSettings } from './refresh-token-reuse.js';
import { tokenHash as sha256 } from './token-hash.js';

export interface EmbeddedAuthSettings {
  /** Lifetime of an access token; default 36000 s, like DOT's default. */
  accessTokenTtlSeconds?: number;
  /**
   * log2 of scrypt's N for new hashes; default 17, OWASP's N=2^17 (r=8, p=1). Each hash keeps its
   * own parameters: older ones still verify and are rehashed with these at the next sign-in.
   */
  passwordHashCost?: number;
  /** How many password hashes run and wait at once (default 2 and 4), shared fairly between accounts and client addresses; see PasswordCheckLimiter. */
  passwordChecks?: PasswordCheckLimits;
  /** How long after a rotation a replay of the old refresh token is taken for the client's own race (default 5 s); see refresh-token-reuse.ts. */
  refreshReuseGraceSeconds?: number;
  /** Where a reused refresh token is reported (with the account's subject, never a token). */
  log?: AuthServerLog;
  now?: () => Date;
}

/**
 * An authorization server inside Gatehouse, for a zero-setup start. Tokens are stored only as
 * sha256 hashes; a refresh rotates the pair; a rotated refresh token used again revokes its family;
 * a password change revokes every token of the account. Every revocation is published on the
 * retirement channel in its own transaction, so every instance hears of it when it commits.
 */
export class EmbeddedAuthServer implements AuthServer {
  private readonly ttlSeconds: number;
  private readonly now: () => Date;
  private readonly passwords: PasswordChecker;
  private readonly reuse: RefreshReuseSettings;

  constructor(private readonly accounts: EmbeddedAccounts, settings: EmbeddedAuthSettings = {}) {
    this.ttlSeconds = settings.accessTokenTtlSeconds ?? 36_000;
    this.now = settings.now ?? (() => new Date());
    const log = settings.log ?? { info: () => undefined, warn: () => undefined };
    this.passwords = new PasswordChecker(settings.passwordHashCost, settings.passwordChecks,
      (refused) => log.warn({ refused }, 'password checks refused: a share was full (counts since the last such line)'));
    this.reuse = { graceMs: (settings.refreshReuseGraceSeconds ?? 5) * 1000, now: this.now, log };
  }

  signUp({ email, password, client }: SignUp): Promise<Account> {
    return this.guard(async () => {
      await rejectWeak(password, '/password');
      const address = normalizeEmail(email);
      const row = await this.accounts.createAccount(address, await this.passwords.hash({ account: address, client }, password));
      if (!row) throw new EmailTaken();
      return { subject: String(row.id), email: row.email };
    });
  }

  issueToken({ email, password, scopes, proof, client }: Credentials): Promise<TokenPair> {
    return this.guard(async () => {
      const granted = requestedScopes(scopes);
      const address = normalizeEmail(email);
      const account = await this.accounts.accountByEmail(address);
      const { matches, rehashed } = await this.passwords.signIn({ account: address, client }, password, account?.passwordHash);
      if (!account || !matches) throw new InvalidGrant();
      if (rehashed) await this.accounts.rehash(account.id, account.passwordHash, rehashed);
      // Only now the proof's signature (RFC 9449 §5): a wrong password costs no signature check.
      const { pair, answer } = this.newPair(account.id, granted, await proof?.confirm());
      await this.accounts.addPair(pair);
      return answer;
    });
  }

  refresh(refreshToken: string, proof?: ProofOfPossession): Promise<TokenPair> {
    const refreshHash = sha256(refreshToken);
    return this.guard(async () => (await this.accounts.rotate(refreshHash, this.now(), async (spent) => {
      // The proof's signature only once the refresh token is good. RFC 9449 §5: a bound pair's
      // refresh token is useless without the key (throwing rolls the spend back).
      const proofKey = await proof?.confirm();
      if (spent.jkt !== null && spent.jkt !== proofKey) throw new InvalidGrant('this refresh token is bound to a DPoP key: send a proof by that key');
      return this.newPair(spent.accountId, grantedScopes(spent.scopes), spent.jkt ?? proofKey, spent.family);
    })) ?? refuseSpentRefreshToken(this.accounts, refreshHash, this.reuse)); // outside the rotation, so a family revocation commits
  }

  changePassword(accessToken: string, { oldPassword, password, client }: PasswordChange): Promise<void> {
    return this.guard(async () => {
      const token = await this.activeToken(accessToken);
      if (!token) throw new InvalidToken();
      const account = await this.accounts.accountById(token.accountId);
      const errors: FieldError[] = [];
      if (!(await this.passwords.verify({ account: token.email, client }, oldPassword, account.passwordHash))) {
        errors.push({ pointer: '/old_password', message: 'Old password is incorrect' });
      }
      for (const message of await passwordProblems(password)) errors.push({ pointer: '/password', message });
      if (errors.length) throw new InvalidInput(errors);
      const hash = await this.passwords.hash({ account: token.email, client }, password);
      // Unlike DOT, which keeps them: whoever held a token for the old password loses it.
      await this.accounts.changePassword(account.id, hash, this.now());
    });
  }

  /**
   * An access token's pair goes with it: a refresh token must not resurrect a revoked access
   * token. A refresh token (a rotated one included) takes its whole family: signing out ends the
   * session, whichever of its refresh tokens the client held. One look-up finds either kind, so
   * the hint is not needed (RFC 7009 §2.1 lets a server ignore it).
   */
  revoke(token: string, _hint?: TokenTypeHint): Promise<void> {
    return this.guard(() => this.accounts.revoke(sha256(token), this.now()));
  }

  introspect(accessToken: string): Promise<Introspection> {
    return this.guard(async () => {
      const token = await this.activeToken(accessToken);
      if (!token) return { active: false };
      return {
        active: true, subject: String(token.accountId), email: token.email,
        scopes: token.scopes.split(' '), exp: Math.floor(token.expiresAt.getTime() / 1000),
        ...(token.jkt !== null ? { jkt: token.jkt } : {}),
      };
    });
  }

  ping(): Promise<void> {
    return this.guard(() => this.accounts.ping());
  }

  private activeToken(accessToken: string) {
    return this.accounts.activeToken(sha256(accessToken), this.now());
  }

  /** A new pair, bound to the DPoP key `jkt` when given (RFC 9449 §5: token_type DPoP), in `family` (a new one for a sign-in). */
  private newPair(accountId: number, scopes: Scope[], jkt?: string | undefined, family?: string): { pair: StoredPair; answer: TokenPair } {
    const answer: TokenPair = { accessToken: newToken(), refreshToken: newToken(), expiresIn: this.ttlSeconds, scopes, ...(jkt ? { boundTo: jkt } : {}) };
    const pair: StoredPair = {
      accessHash: sha256(answer.accessToken), refreshHash: sha256(answer.refreshToken), accountId,
      scopes: scopes.join(' '), expiresAt: new Date(this.now().getTime() + this.ttlSeconds * 1000), jkt: jkt ?? null,
      family: family ?? sha256(answer.accessToken),
    };
    return { pair, answer };
  }

  /** The embedded server's database is its own: losing it makes the auth server unavailable. */
  private async guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      if (err instanceof DatabaseUnavailable) throw new AuthServerUnavailable('the embedded auth server cannot reach its database', { cause: err });
      throw err;
    }
  }
}

async function rejectWeak(password: string, pointer: string): Promise<void> {
  const problems = await passwordProblems(password);
  if (problems.length) throw new InvalidInput(problems.map((message) => ({ pointer, message })));
}


const newToken = () => randomBytes(32).toString('base64url');
