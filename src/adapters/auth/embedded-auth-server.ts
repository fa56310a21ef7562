import { createHash, randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { normalizeEmail, type Account, type Credentials, type Introspection, type PasswordChange, type ProofOfPossession, type SignUp, type TokenPair, type TokenTypeHint } from '../../domain/account.js';
import { grantedScopes, requestedScopes, type Scope } from '../../domain/scopes.js';
import { AuthServerUnavailable, EmailTaken, InvalidGrant, InvalidInput, InvalidToken, type FieldError } from '../../domain/errors.js';
import type { AuthServer } from '../../ports/index.js';
import { isUnavailable } from '../db/db-errors.js';
import { notifyRetirements } from '../db/postgres-retirement-channel.js';
import type { Database } from '../db/schema.js';
import type { PasswordCheckLimits } from './password-check-limiter.js';
import { PasswordChecker } from './password-checker.js';
import { passwordProblems } from './password-policy.js';
import { refuseSpentRefreshToken, type AuthServerLog, type RefreshReuseSettings } from './refresh-token-reuse.js';

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

  constructor(private readonly db: Kysely<Database>, settings: EmbeddedAuthSettings = {}) {
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
      const row = await this.db.insertInto('embedded_auth_accounts')
        .values({ email: address, password_hash: await this.passwords.hash({ account: address, client }, password) })
        .onConflict((oc) => oc.column('email').doNothing())
        .returning(['id', 'email'])
        .executeTakeFirst();
      if (!row) throw new EmailTaken();
      return { subject: String(row.id), email: row.email };
    });
  }

  issueToken({ email, password, scopes, proof, client }: Credentials): Promise<TokenPair> {
    return this.guard(async () => {
      const granted = requestedScopes(scopes);
      const address = normalizeEmail(email);
      const account = await this.db.selectFrom('embedded_auth_accounts').select(['id', 'password_hash'])
        .where('email', '=', address).executeTakeFirst();
      const { matches, rehashed } = await this.passwords.signIn({ account: address, client }, password, account?.password_hash);
      if (!account || !matches) throw new InvalidGrant();
      if (rehashed) { // unless a password change got there first
        await this.db.updateTable('embedded_auth_accounts').set({ password_hash: rehashed })
          .where('id', '=', account.id).where('password_hash', '=', account.password_hash).execute();
      }
      // Only now the proof's signature (RFC 9449 §5): a wrong password costs no signature check.
      return this.grant(this.db, account.id, granted, await proof?.confirm());
    });
  }

  refresh(refreshToken: string, proof?: ProofOfPossession): Promise<TokenPair> {
    const refreshHash = sha256(refreshToken);
    return this.guard(async () => (await this.db.transaction().execute(async (trx) => {
      // One UPDATE spends the refresh token: of two concurrent refreshes, only one gets a row back.
      const spent = await trx.updateTable('embedded_auth_tokens')
        .set({ refresh_used: true, revoked_at: this.now() })
        .where('refresh_hash', '=', refreshHash)
        .where('refresh_used', '=', false)
        .where('revoked_at', 'is', null)
        .returning(['account_id', 'scopes', 'jkt', 'access_hash', 'family'])
        .executeTakeFirst();
      if (!spent) return undefined; // refused below, outside this transaction, so a family revocation commits
      // The proof's signature only once the refresh token is good. RFC 9449 §5: a bound pair's
      // refresh token is useless without the key (a throw rolls the spend back).
      const proofKey = await proof?.confirm();
      if (spent.jkt !== null && spent.jkt !== proofKey) throw new InvalidGrant('this refresh token is bound to a DPoP key: send a proof by that key');
      await notifyRetirements(trx, [{ tokenHash: spent.access_hash }]);
      return this.grant(trx, spent.account_id, grantedScopes(spent.scopes), spent.jkt ?? proofKey, spent.family);
    })) ?? refuseSpentRefreshToken(this.db, refreshHash, this.reuse));
  }

  changePassword(accessToken: string, { oldPassword, password, client }: PasswordChange): Promise<void> {
    return this.guard(async () => {
      const token = await this.activeToken(accessToken);
      if (!token) throw new InvalidToken();
      const account = await this.db.selectFrom('embedded_auth_accounts').select(['id', 'password_hash'])
        .where('id', '=', token.account_id).executeTakeFirstOrThrow();
      const errors: FieldError[] = [];
      if (!(await this.passwords.verify({ account: token.email, client }, oldPassword, account.password_hash))) {
        errors.push({ pointer: '/old_password', message: 'Old password is incorrect' });
      }
      for (const message of await passwordProblems(password)) errors.push({ pointer: '/password', message });
      if (errors.length) throw new InvalidInput(errors);
      const hash = await this.passwords.hash({ account: token.email, client }, password);
      await this.db.transaction().execute(async (trx) => {
        await trx.updateTable('embedded_auth_accounts').set({ password_hash: hash }).where('id', '=', account.id).execute();
        // Unlike DOT, which keeps them: whoever held a token for the old password loses it.
        await trx.updateTable('embedded_auth_tokens').set({ revoked_at: this.now() })
          .where('account_id', '=', account.id).where('revoked_at', 'is', null).execute();
        await notifyRetirements(trx, [{ subject: String(account.id) }]);
      });
    });
  }

  /**
   * An access token's pair goes with it: a refresh token must not resurrect a revoked access
   * token. A refresh token (a rotated one included) takes its whole family: signing out ends the
   * session, whichever of its refresh tokens the client held. One look-up finds either kind, so
   * the hint is not needed (RFC 7009 §2.1 lets a server ignore it).
   */
  revoke(token: string, _hint?: TokenTypeHint): Promise<void> {
    const hash = sha256(token);
    return this.guard(() => this.db.transaction().execute(async (trx) => {
      const found = await trx.selectFrom('embedded_auth_tokens').select(['access_hash', 'refresh_hash', 'family'])
        .where((eb) => eb.or([eb('access_hash', '=', hash), eb('refresh_hash', '=', hash)])).executeTakeFirst();
      if (!found) return; // unknown: nothing to do, and not an error
      const revoked = await trx.updateTable('embedded_auth_tokens').set({ revoked_at: this.now() })
        .where(found.refresh_hash === hash ? 'family' : 'access_hash', '=', found.refresh_hash === hash ? found.family : hash)
        .where('revoked_at', 'is', null).returning('access_hash').execute();
      await notifyRetirements(trx, revoked.map((r) => ({ tokenHash: r.access_hash })));
    }));
  }

  introspect(accessToken: string): Promise<Introspection> {
    return this.guard(async () => {
      const token = await this.activeToken(accessToken);
      if (!token) return { active: false };
      return {
        active: true, subject: String(token.account_id), email: token.email,
        scopes: token.scopes.split(' '), exp: Math.floor(token.expires_at.getTime() / 1000),
        ...(token.jkt !== null ? { jkt: token.jkt } : {}),
      };
    });
  }

  ping(): Promise<void> {
    return this.guard(async () => { await sql`select 1`.execute(this.db); });
  }

  private activeToken(accessToken: string) {
    return this.db.selectFrom('embedded_auth_tokens as t')
      .innerJoin('embedded_auth_accounts as a', 'a.id', 't.account_id')
      .select(['t.account_id', 't.scopes', 't.expires_at', 't.jkt', 'a.email'])
      .where('t.access_hash', '=', sha256(accessToken))
      .where('t.revoked_at', 'is', null)
      .where('t.expires_at', '>', this.now())
      .executeTakeFirst();
  }

  /** A new pair, bound to the DPoP key `jkt` when given (RFC 9449 §5: token_type DPoP), in `family` (a new one for a sign-in). */
  private async grant(db: Kysely<Database>, accountId: number, scopes: Scope[], jkt?: string | undefined, family?: string): Promise<TokenPair> {
    const pair: TokenPair = { accessToken: newToken(), refreshToken: newToken(), expiresIn: this.ttlSeconds, scopes, ...(jkt ? { boundTo: jkt } : {}) };
    await db.insertInto('embedded_auth_tokens').values({
      access_hash: sha256(pair.accessToken), refresh_hash: sha256(pair.refreshToken), account_id: accountId,
      scopes: scopes.join(' '), expires_at: new Date(this.now().getTime() + this.ttlSeconds * 1000), jkt: jkt ?? null,
      family: family ?? sha256(pair.accessToken),
    }).execute();
    return pair;
  }

  /** The embedded server's database is its own: losing it makes the auth server unavailable. */
  private async guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      if (isUnavailable(err)) throw new AuthServerUnavailable('the embedded auth server cannot reach its database', { cause: err });
      throw err;
    }
  }
}

async function rejectWeak(password: string, pointer: string): Promise<void> {
  const problems = await passwordProblems(password);
  if (problems.length) throw new InvalidInput(problems.map((message) => ({ pointer, message })));
}


const newToken = () => randomBytes(32).toString('base64url');
const sha256 = (token: string) => createHash('sha256').update(token).digest('hex');
