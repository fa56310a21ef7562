import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import type { Account, Introspection } from '../../src/domain/account.js';
import { EmailTaken, InvalidGrant, InvalidInput, InvalidToken, NotSupported } from '../../src/domain/errors.js';
import type { AuthServer } from '../../src/ports/auth-server.js';
import { rejectionOf } from '../support/rejection.js';

/** A server whose access tokens expire soon after they are issued. */
export interface ExpiringServer {
  server: AuthServer;
  /** How long after issuing a token it is certainly expired. */
  expiresWithinMs: number;
  createAccount?: (email: string, password: string) => Promise<Account>;
}

/**
 * What a server does not do. By default (embedded, DOT) it does everything below; leaving a flag
 * out never weakens the contract. Unsupported operations must answer NotSupported. Known when the
 * suite is defined, so tests that cannot apply are not registered at all rather than skipped.
 */
export interface Lacks {
  /** No sign-up or password change: accounts come from the harness's `createAccount`. */
  accountManagement?: true;
  /** A refresh leaves the old access token valid until its exp (oidc-provider; every JWT). */
  refreshEndsOldAccessToken?: true;
  /** Self-contained tokens stay valid until their exp whatever the server is told. */
  immediateRevocation?: true;
}

export interface AuthServerHarness {
  server: AuthServer;
  close(): Promise<void>;
  /** Optional: adapters that cannot shorten token lifetimes skip the expiry test. */
  expiringServer?: () => Promise<ExpiringServer>;
  /** Creates an account at the server out of band; required with `Lacks.accountManagement`. */
  createAccount?: (email: string, password: string) => Promise<Account>;
}

const PASSWORD = 'correct horse battery';

/** What every AuthServer adapter must do; run it against each one, bare and behind the cache. */
export function authServerContract(name: string, open: () => Promise<AuthServerHarness>, lacking: Lacks = {}): void {
  describe(`AuthServer contract (${name})`, function () {
    this.timeout(30_000);
    let h: AuthServerHarness;
    let server: AuthServer;
    beforeEach(async () => { h = await open(); server = h.server; });
    afterEach(async () => { await h?.close(); });

    const newEmail = (prefix = 'user') => `${prefix}-${randomBytes(6).toString('hex')}@example.com`;
    const lacks = (what: keyof Lacks) => lacking[what] === true;
    const itWith = (needs: boolean) => (needs ? it : () => undefined);
    const managesAccounts = !lacks('accountManagement');
    const createAccount = (email: string, password: string) =>
      (h.createAccount ? h.createAccount(email, password) : server.signUp({ email, password }));
    async function newAccount(prefix?: string) {
      const email = newEmail(prefix);
      const account = await createAccount(email, PASSWORD);
      return { email, account, tokens: await server.issueToken({ email, password: PASSWORD, scopes: ['read', 'write'] }) };
    }
    const active = (claims: Introspection) => {
      if (!claims.active) throw new Error('expected an active token');
      return claims;
    };

    itWith(!managesAccounts)('answers NotSupported for sign-up and password change when the server manages accounts itself', async () => {
      expect(await rejectionOf(server.signUp({ email: newEmail('signup'), password: PASSWORD }))).to.be.instanceOf(NotSupported);
      const { tokens } = await newAccount('change');
      const err = await rejectionOf(server.changePassword(tokens.accessToken, { oldPassword: PASSWORD, password: 'a brand new passphrase' }));
      expect(err).to.be.instanceOf(NotSupported);
      expect(err.message).to.match(/at the authorization server/);
    });

    itWith(managesAccounts)('signs a user up and answers the account with the email it was given', async () => {
      const email = newEmail('signup');
      const account = await server.signUp({ email, password: PASSWORD });
      expect(account.email).to.equal(email);
      expect(account.subject).to.be.a('string').and.not.equal('');
    });

    itWith(managesAccounts)('refuses a second sign-up with the same email with EmailTaken', async () => {
      const { email } = await newAccount('twice');
      expect(await rejectionOf(server.signUp({ email, password: 'another good passphrase' }))).to.be.instanceOf(EmailTaken);
    });

    for (const weak of ['1234567', 'password', '12345678']) {
      itWith(managesAccounts)(`refuses the weak password "${weak}" with InvalidInput at /password`, async () => {
        const err = await rejectionOf(server.signUp({ email: newEmail('weak'), password: weak }));
        expect(err).to.be.instanceOf(InvalidInput);
        const pointers = (err as InvalidInput).errors.map((e) => e.pointer);
        expect(pointers).to.include('/password');
      });
    }

    it('issues a pair with read and write, never introspection, bound to the signed-up account', async () => {
      const { email, account, tokens } = await newAccount('token');
      expect(tokens.scopes).to.have.members(['read', 'write']);
      expect(tokens.accessToken).to.be.a('string').and.not.equal(tokens.refreshToken);
      expect(tokens.expiresIn).to.be.greaterThan(0);
      const claims = active(await server.introspect(tokens.accessToken));
      expect(claims.subject).to.equal(account.subject);
      expect(claims.email).to.equal(email);
      expect(claims.scopes).to.have.members(['read', 'write']).and.not.include('introspection');
      expect(claims.exp).to.be.greaterThan(Date.now() / 1000);
    });

    it('issues only the scopes asked for', async () => {
      const { email } = await newAccount('read-only');
      const tokens = await server.issueToken({ email, password: PASSWORD, scopes: ['read'] });
      expect(tokens.scopes).to.deep.equal(['read']);
      expect(active(await server.introspect(tokens.accessToken)).scopes).to.deep.equal(['read']);
    });

    it('refuses a wrong password and an unknown user alike with InvalidGrant', async () => {
      const { email } = await newAccount('wrong');
      const wrong = await rejectionOf(server.issueToken({ email, password: 'not the password', scopes: ['read'] }));
      expect(wrong).to.be.instanceOf(InvalidGrant);
      const unknown = await rejectionOf(server.issueToken({ email: newEmail('nobody'), password: PASSWORD, scopes: ['read'] }));
      expect(unknown).to.be.instanceOf(InvalidGrant);
    });

    it('refreshes into a new pair; the old refresh token is refused and the old access token is inactive', async () => {
      const { tokens } = await newAccount('refresh');
      active(await server.introspect(tokens.accessToken)); // seen (and cached, behind the cache) first
      const next = await server.refresh(tokens.refreshToken);
      expect(next.accessToken).not.to.equal(tokens.accessToken);
      expect(next.scopes).to.have.members(['read', 'write']);
      active(await server.introspect(next.accessToken));
      if (!lacks('refreshEndsOldAccessToken')) expect(await server.introspect(tokens.accessToken)).to.deep.equal({ active: false });
      expect(await rejectionOf(server.refresh(tokens.refreshToken))).to.be.instanceOf(InvalidGrant);
    });

    it('refuses a junk refresh token with InvalidGrant', async () => {
      expect(await rejectionOf(server.refresh('junk-refresh-token'))).to.be.instanceOf(InvalidGrant);
    });

    itWith(managesAccounts)('changes the password: the new one issues tokens, the old one gets InvalidGrant', async () => {
      const { email, tokens } = await newAccount('change');
      const password = 'a brand new passphrase';
      await server.changePassword(tokens.accessToken, { oldPassword: PASSWORD, password });
      expect((await server.issueToken({ email, password, scopes: ['read'] })).scopes).to.deep.equal(['read']);
      const old = await rejectionOf(server.issueToken({ email, password: PASSWORD, scopes: ['read'] }));
      expect(old).to.be.instanceOf(InvalidGrant);
    });

    itWith(managesAccounts)('refuses a wrong old password with InvalidInput at /old_password', async () => {
      const { tokens } = await newAccount('old');
      const err = await rejectionOf(server.changePassword(tokens.accessToken, { oldPassword: 'not it at all', password: 'fine new passphrase' }));
      expect(err).to.be.instanceOf(InvalidInput);
      expect((err as InvalidInput).errors.map((e) => e.pointer)).to.deep.equal(['/old_password']);
    });

    itWith(managesAccounts)('refuses a password change with an unknown token with InvalidToken', async () => {
      const err = await rejectionOf(server.changePassword('junk-access-token', { oldPassword: PASSWORD, password: 'fine new passphrase' }));
      expect(err).to.be.instanceOf(InvalidToken);
    });

    it('answers inactive for a junk token, twice', async () => {
      expect(await server.introspect('junk-access-token')).to.deep.equal({ active: false });
      expect(await server.introspect('junk-access-token')).to.deep.equal({ active: false });
    });

    it('answers inactive for a revoked token, and revoking an unknown token is no error', async () => {
      const { tokens } = await newAccount('revoke');
      active(await server.introspect(tokens.accessToken));
      await server.revoke(tokens.accessToken);
      if (!lacks('immediateRevocation')) expect(await server.introspect(tokens.accessToken)).to.deep.equal({ active: false });
      await server.revoke('junk-access-token');
    });

    itWith(!lacks('immediateRevocation'))('revokes a refresh token (RFC 7009), hinted or not: it refreshes no more, and its access token goes with it', async () => {
      for (const hint of ['refresh_token', undefined] as const) {
        const { tokens } = await newAccount('revoke-refresh');
        active(await server.introspect(tokens.accessToken)); // seen (and cached, behind the cache) first
        await server.revoke(tokens.refreshToken, hint);
        expect(await rejectionOf(server.refresh(tokens.refreshToken))).to.be.instanceOf(InvalidGrant);
        expect(await server.introspect(tokens.accessToken)).to.deep.equal({ active: false });
      }
    });

    itWith(!lacks('immediateRevocation'))('revokes an access token whatever the hint says, and an unknown refresh token is no error', async () => {
      const { tokens } = await newAccount('revoke-hint');
      active(await server.introspect(tokens.accessToken));
      await server.revoke(tokens.accessToken, 'refresh_token');
      expect(await server.introspect(tokens.accessToken)).to.deep.equal({ active: false });
      await server.revoke('junk-refresh-token', 'refresh_token');
    });

    it('answers the ping', async () => {
      await server.ping();
    });

    it('answers inactive for an expired token', async function () {
      if (!h.expiringServer) this.skip();
      this.timeout(60_000);
      const { server: expiring, expiresWithinMs, createAccount: create } = await h.expiringServer();
      const email = newEmail('expiry');
      await (create ? create(email, PASSWORD) : expiring.signUp({ email, password: PASSWORD }));
      const tokens = await expiring.issueToken({ email, password: PASSWORD, scopes: ['read'] });
      active(await expiring.introspect(tokens.accessToken));
      await new Promise((done) => setTimeout(done, expiresWithinMs));
      expect(await expiring.introspect(tokens.accessToken)).to.deep.equal({ active: false });
    });
  });
}
