import { randomBytes } from 'node:crypto';
import type { Account, Credentials, Introspection, PasswordChange, SignUp, TokenPair } from '../../src/domain/account.js';
import { EmailTaken, InvalidGrant, InvalidInput, InvalidToken } from '../../src/domain/errors.js';
import type { AuthServer } from '../../src/ports/index.js';

interface Grant { subject: string; scopes: string[]; exp: number; refresh: string }

/** An auth server in memory, with a clock the test controls and a count of introspections. */
export class FakeAuthServer implements AuthServer {
  private readonly accounts = new Map<string, { subject: string; password: string }>();
  private readonly grants = new Map<string, Grant>();
  introspections = 0;
  nowSeconds = 1_800_000_000;

  async signUp({ email, password }: SignUp): Promise<Account> {
    if (this.accounts.has(email)) throw new EmailTaken();
    if (password.length < 8) throw new InvalidInput([{ pointer: '/password', message: 'This password is too short.' }]);
    const subject = `sub-${this.accounts.size + 1}`;
    this.accounts.set(email, { subject, password });
    return { subject, email };
  }

  async issueToken({ email, password, scopes }: Credentials): Promise<TokenPair> {
    const account = this.accounts.get(email);
    if (!account || account.password !== password) throw new InvalidGrant();
    return this.grant(account.subject, scopes);
  }

  async refresh(refreshToken: string): Promise<TokenPair> {
    const entry = [...this.grants.entries()].find(([, g]) => g.refresh === refreshToken);
    if (!entry) throw new InvalidGrant();
    this.grants.delete(entry[0]);
    return this.grant(entry[1].subject, entry[1].scopes as TokenPair['scopes']);
  }

  async changePassword(accessToken: string, change: PasswordChange): Promise<void> {
    const grant = this.grants.get(accessToken);
    if (!grant) throw new InvalidToken();
    const account = [...this.accounts.values()].find((a) => a.subject === grant.subject)!;
    if (account.password !== change.oldPassword) {
      throw new InvalidInput([{ pointer: '/old_password', message: 'Old password is incorrect' }]);
    }
    account.password = change.password;
  }

  async revoke(accessToken: string): Promise<void> {
    this.grants.delete(accessToken);
  }

  async introspect(accessToken: string): Promise<Introspection> {
    this.introspections++;
    const grant = this.grants.get(accessToken);
    if (!grant || grant.exp <= this.nowSeconds) return { active: false };
    const email = [...this.accounts.entries()].find(([, a]) => a.subject === grant.subject)![0];
    return { active: true, subject: grant.subject, email, scopes: grant.scopes, exp: grant.exp };
  }

  async ping(): Promise<void> {}

  private grant(subject: string, scopes: TokenPair['scopes']): TokenPair {
    const pair = { accessToken: token(), refreshToken: token(), expiresIn: 3600, scopes };
    this.grants.set(pair.accessToken, { subject, scopes, exp: this.nowSeconds + 3600, refresh: pair.refreshToken });
    return pair;
  }
}

const token = () => randomBytes(16).toString('hex');
