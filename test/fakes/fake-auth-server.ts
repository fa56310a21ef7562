import { randomBytes } from 'node:crypto';
import { passwordProblems } from '../../src/adapters/auth/password-policy.js';
import type { Account, Credentials, Introspection, PasswordChange, SignUp, TokenPair } from '../../src/domain/account.js';
import { EmailTaken, InvalidGrant, InvalidInput, InvalidToken, type FieldError } from '../../src/domain/errors.js';
import { requestedScopes, type Scope } from '../../src/domain/scopes.js';
import type { AuthServer } from '../../src/ports/index.js';

interface Grant { subject: string; scopes: Scope[]; exp: number; refresh: string }

export interface FakeAuthSettings {
  /** Lifetime of an access token in seconds; default 3600. */
  accessTokenTtlSeconds?: number;
  /** Unix seconds. Without it the clock stands still at `nowSeconds` and only tests move it. */
  clock?: () => number;
}

/**
 * An auth server in memory, with a clock the test controls and a count of introspections. It keeps
 * the auth-server contract (test/unit/fake-auth-server.test.ts runs it), password rules included.
 */
export class FakeAuthServer implements AuthServer {
  private readonly accounts = new Map<string, { subject: string; password: string }>();
  private readonly grants = new Map<string, Grant>();
  private readonly ttlSeconds: number;
  private stoppedAt = 1_800_000_000;
  introspections = 0;

  constructor(private readonly settings: FakeAuthSettings = {}) {
    this.ttlSeconds = settings.accessTokenTtlSeconds ?? 3600;
  }

  get nowSeconds(): number { return this.settings.clock?.() ?? this.stoppedAt; }
  set nowSeconds(seconds: number) { this.stoppedAt = seconds; }

  async signUp({ email, password }: SignUp): Promise<Account> {
    if (this.accounts.has(email)) throw new EmailTaken();
    await rejectWeak(password);
    const subject = `sub-${this.accounts.size + 1}`;
    this.accounts.set(email, { subject, password });
    return { subject, email };
  }

  async issueToken({ email, password, scopes }: Credentials): Promise<TokenPair> {
    const granted = requestedScopes(scopes); // InvalidScope for a word Gatehouse does not hand out
    const account = this.accounts.get(email);
    if (!account || account.password !== password) throw new InvalidGrant();
    return this.grant(account.subject, granted);
  }

  async refresh(refreshToken: string): Promise<TokenPair> {
    const entry = [...this.grants.entries()].find(([, g]) => g.refresh === refreshToken);
    if (!entry) throw new InvalidGrant();
    this.grants.delete(entry[0]);
    return this.grant(entry[1].subject, entry[1].scopes);
  }

  async changePassword(accessToken: string, change: PasswordChange): Promise<void> {
    const grant = this.activeGrant(accessToken);
    if (!grant) throw new InvalidToken();
    const account = [...this.accounts.values()].find((a) => a.subject === grant.subject)!;
    const errors: FieldError[] = [];
    if (account.password !== change.oldPassword) errors.push({ pointer: '/old_password', message: 'Old password is incorrect' });
    for (const message of await passwordProblems(change.password)) errors.push({ pointer: '/password', message });
    if (errors.length) throw new InvalidInput(errors);
    account.password = change.password;
  }

  /** An access token with its refresh token, or a refresh token with its access token, as the embedded server does. */
  async revoke(token: string): Promise<void> {
    const byRefresh = [...this.grants.entries()].find(([, g]) => g.refresh === token)?.[0];
    this.grants.delete(byRefresh ?? token);
  }

  async introspect(accessToken: string): Promise<Introspection> {
    this.introspections++;
    const grant = this.activeGrant(accessToken);
    if (!grant) return { active: false };
    const email = [...this.accounts.entries()].find(([, a]) => a.subject === grant.subject)![0];
    return { active: true, subject: grant.subject, email, scopes: grant.scopes, exp: grant.exp };
  }

  async ping(): Promise<void> {}

  private activeGrant(accessToken: string): Grant | undefined {
    const grant = this.grants.get(accessToken);
    return grant && grant.exp > this.nowSeconds ? grant : undefined;
  }

  private grant(subject: string, scopes: Scope[]): TokenPair {
    const pair = { accessToken: token(), refreshToken: token(), expiresIn: this.ttlSeconds, scopes };
    this.grants.set(pair.accessToken, { subject, scopes, exp: this.nowSeconds + this.ttlSeconds, refresh: pair.refreshToken });
    return pair;
  }
}

async function rejectWeak(password: string): Promise<void> {
  const problems = await passwordProblems(password);
  if (problems.length) throw new InvalidInput(problems.map((message) => ({ pointer: '/password', message })));
}

const token = () => randomBytes(16).toString('hex');
