import { expect } from 'chai';
import { sql } from 'kysely';
import { EmbeddedAuthServer } from '../../src/adapters/auth/embedded-auth-server.js';
import { KyselyEmbeddedAccounts } from '../../src/adapters/db/kysely-embedded-accounts.js';
import { openDatabase } from '../../src/adapters/db/open-database.js';
import { AuthServerUnavailable, EmailTaken, InvalidGrant, InvalidInput, InvalidScope, InvalidToken, PasswordCheckBusy } from '../../src/domain/errors.js';
import { authServerContract } from '../contracts/auth-server-contract.js';
import { requireService } from '../support/availability.js';
import { freshPostgresDatabase, openedFreshPostgres, postgresAvailable } from '../support/postgres.js';
import { rejectionOf } from '../support/rejection.js';

const PASSWORD = 'correct horse battery';
/** N=2^12 instead of the default 2^17, except where the cost is the point: these tests sign up dozens of users. */
const CHEAP = { passwordHashCost: 12 };

describe('EmbeddedAuthServer on the machine PostgreSQL', function () {
  const database = openedFreshPostgres();

  authServerContract('embedded', async () => ({
    server: new EmbeddedAuthServer(new KyselyEmbeddedAccounts(database().db), CHEAP),
    close: async () => undefined,
    expiringServer: async () => ({ server: new EmbeddedAuthServer(new KyselyEmbeddedAccounts(database().db), { ...CHEAP, accessTokenTtlSeconds: 1 }), expiresWithinMs: 1_500 }),
  }));

  describe('beyond the contract', () => {
    let clock: Date;
    let server: EmbeddedAuthServer;
    let n = 0;
    const email = () => `extra-${Date.now()}-${n++}@example.com`;
    beforeEach(() => {
      clock = new Date('2026-11-28T12:00:00Z');
      server = new EmbeddedAuthServer(new KyselyEmbeddedAccounts(database().db), { ...CHEAP, accessTokenTtlSeconds: 600, now: () => clock });
    });

    it("refuses weak passwords with Django's exact messages, all at once", async () => {
      const err = await rejectionOf(server.signUp({ email: email(), password: '1234567' })) as InvalidInput;
      expect(err).to.be.instanceOf(InvalidInput);
      expect(err.errors).to.deep.equal([
        { pointer: '/password', message: 'This password is too short. It must contain at least 8 characters.' },
        { pointer: '/password', message: 'This password is too common.' },
        { pointer: '/password', message: 'This password is entirely numeric.' },
      ]);
      const common = await rejectionOf(server.signUp({ email: email(), password: ' PassWord ' })) as InvalidInput;
      expect(common.errors.map((e) => e.message)).to.deep.equal(['This password is too common.']);
      const superscripts = await rejectionOf(server.signUp({ email: email(), password: '²³¹²³¹²³¹' })) as InvalidInput;
      expect(superscripts.errors.map((e) => e.message)).to.deep.equal(['This password is entirely numeric.']);
    });

    it('treats emails case-insensitively and stores them lower-cased', async () => {
      const address = email();
      const account = await server.signUp({ email: address.toUpperCase(), password: PASSWORD });
      expect(account.email).to.equal(address);
      expect(await rejectionOf(server.signUp({ email: address, password: PASSWORD }))).to.be.instanceOf(EmailTaken);
      await server.issueToken({ email: address.toUpperCase(), password: PASSWORD, scopes: [] });
    });

    it('grants everything for no scopes, refuses unknown ones, and keeps the scopes on refresh', async () => {
      const address = email();
      await server.signUp({ email: address, password: PASSWORD });
      expect((await server.issueToken({ email: address, password: PASSWORD, scopes: [] })).scopes).to.deep.equal(['read', 'write']);
      const bad = server.issueToken({ email: address, password: PASSWORD, scopes: ['introspection' as 'read'] });
      expect(await rejectionOf(bad)).to.be.instanceOf(InvalidScope);
      const readOnly = await server.issueToken({ email: address, password: PASSWORD, scopes: ['read'] });
      expect((await server.refresh(readOnly.refreshToken)).scopes).to.deep.equal(['read']);
    });

    it('expires access tokens after the configured lifetime, by its clock', async () => {
      const address = email();
      await server.signUp({ email: address, password: PASSWORD });
      const tokens = await server.issueToken({ email: address, password: PASSWORD, scopes: ['read'] });
      expect(tokens.expiresIn).to.equal(600);
      const claims = await server.introspect(tokens.accessToken);
      expect(claims).to.deep.include({ active: true, exp: clock.getTime() / 1000 + 600 });
      clock = new Date(clock.getTime() + 599_000);
      expect((await server.introspect(tokens.accessToken)).active).to.equal(true);
      clock = new Date(clock.getTime() + 1_000);
      expect(await server.introspect(tokens.accessToken)).to.deep.equal({ active: false });
      expect(await rejectionOf(server.changePassword(tokens.accessToken, { oldPassword: PASSWORD, password: 'another passphrase' })))
        .to.be.instanceOf(InvalidToken);
    });

    it('revokes every token of the account when the password changes, refresh tokens included', async () => {
      const address = email();
      await server.signUp({ email: address, password: PASSWORD });
      const one = await server.issueToken({ email: address, password: PASSWORD, scopes: ['read'] });
      const two = await server.issueToken({ email: address, password: PASSWORD, scopes: ['write'] });
      await server.changePassword(one.accessToken, { oldPassword: PASSWORD, password: 'a brand new passphrase' });
      expect(await server.introspect(one.accessToken)).to.deep.equal({ active: false });
      expect(await server.introspect(two.accessToken)).to.deep.equal({ active: false });
      expect(await rejectionOf(server.refresh(two.refreshToken))).to.be.instanceOf(InvalidGrant);
    });

    it('reports a wrong old password and a weak new one together', async () => {
      const address = email();
      await server.signUp({ email: address, password: PASSWORD });
      const { accessToken } = await server.issueToken({ email: address, password: PASSWORD, scopes: [] });
      const err = await rejectionOf(server.changePassword(accessToken, { oldPassword: 'nope nope nope', password: 'password' })) as InvalidInput;
      expect(err.errors).to.deep.equal([
        { pointer: '/old_password', message: 'Old password is incorrect' },
        { pointer: '/password', message: 'This password is too common.' },
      ]);
    });

    it('lets only one of two concurrent refreshes with the same token succeed', async () => {
      const address = email();
      await server.signUp({ email: address, password: PASSWORD });
      const { refreshToken } = await server.issueToken({ email: address, password: PASSWORD, scopes: [] });
      const results = await Promise.allSettled([server.refresh(refreshToken), server.refresh(refreshToken)]);
      expect(results.map((r) => r.status).sort()).to.deep.equal(['fulfilled', 'rejected']);
    });

    it('stores neither tokens nor passwords, only their hashes', async () => {
      const address = email();
      await server.signUp({ email: address, password: PASSWORD });
      const tokens = await server.issueToken({ email: address, password: PASSWORD, scopes: [] });
      const dump = JSON.stringify((await sql`select a.*, t.* from embedded_auth_accounts a join embedded_auth_tokens t on t.account_id = a.id where a.email = ${address}`.execute(database().db)).rows);
      for (const secret of [PASSWORD, tokens.accessToken, tokens.refreshToken]) expect(dump).not.to.include(secret);
      expect(dump).to.match(/scrypt\$4096\$8\$1\$/);
    });

    const storedHash = async (address: string) => (await database().db.selectFrom('embedded_auth_accounts')
      .select('password_hash').where('email', '=', address).executeTakeFirstOrThrow()).password_hash;

    it('refuses a fullwidth "ｐａｓｓｗｏｒｄ" as too common, at sign-up and as a new password: the rules judge the NFKC form that is hashed', async () => {
      const refused = await rejectionOf(server.signUp({ email: email(), password: 'ｐａｓｓｗｏｒｄ' })) as InvalidInput;
      expect(refused).to.be.instanceOf(InvalidInput);
      expect(refused.errors).to.deep.equal([{ pointer: '/password', message: 'This password is too common.' }]);
      const address = email();
      await server.signUp({ email: address, password: PASSWORD });
      const { accessToken } = await server.issueToken({ email: address, password: PASSWORD, scopes: [] });
      const change = await rejectionOf(server.changePassword(accessToken, { oldPassword: PASSWORD, password: 'ｐａｓｓｗｏｒｄ' })) as InvalidInput;
      expect(change.errors).to.deep.equal([{ pointer: '/password', message: 'This password is too common.' }]);
      expect(await rejectionOf(server.issueToken({ email: address, password: 'password', scopes: [] }))).to.be.instanceOf(InvalidGrant);
    });

    it('signs up a fullwidth strong password and signs in with its ASCII form, and the other way round after a change', async () => {
      const address = email();
      await server.signUp({ email: address, password: 'ｃｏｒｒｅｃｔ ｈｏｒｓｅ ｂａｔｔｅｒｙ' });
      const { accessToken } = await server.issueToken({ email: address, password: PASSWORD, scopes: [] });
      await server.changePassword(accessToken, { oldPassword: PASSWORD, password: 'staple battery horse' });
      await server.issueToken({ email: address, password: 'ｓｔａｐｌｅ ｂａｔｔｅｒｙ ｈｏｒｓｅ', scopes: [] });
    });

    it('signs in with a stored N=16384 hash and rewrites it at the default N=2^17; a wrong password rewrites nothing', async function () {
      this.timeout(20_000);
      const address = email();
      await new EmbeddedAuthServer(new KyselyEmbeddedAccounts(database().db), { passwordHashCost: 14 }).signUp({ email: address, password: PASSWORD });
      const legacy = await storedHash(address);
      expect(legacy).to.match(/^scrypt\$16384\$8\$1\$/);
      const current = new EmbeddedAuthServer(new KyselyEmbeddedAccounts(database().db)); // PASSWORD_HASH_COST unset
      expect(await rejectionOf(current.issueToken({ email: address, password: 'wrong horse battery', scopes: [] }))).to.be.instanceOf(InvalidGrant);
      expect(await storedHash(address)).to.equal(legacy);
      await current.issueToken({ email: address, password: PASSWORD, scopes: [] });
      const upgraded = await storedHash(address);
      expect(upgraded).to.match(/^scrypt\$131072\$8\$1\$/);
      await current.issueToken({ email: address, password: PASSWORD, scopes: [] });
      expect(await storedHash(address)).to.equal(upgraded); // rehashed once, not at every sign-in
    });

    it('checks one password at a time per account: a second concurrent attempt waits its turn, a third is refused; other accounts go on', async () => {
      const slow = new EmbeddedAuthServer(new KyselyEmbeddedAccounts(database().db), { passwordHashCost: 15 }); // a hash long enough for the others to arrive during it
      const [victim, bystander] = [email(), email()];
      for (const address of [victim, bystander]) await slow.signUp({ email: address, password: PASSWORD });
      const attempts = await Promise.allSettled([
        ...Array.from({ length: 4 }, () => slow.issueToken({ email: victim.toUpperCase(), password: 'wrong horse battery', scopes: [] })),
        slow.issueToken({ email: bystander, password: PASSWORD, scopes: [] }),
      ]);
      const reasons = attempts.slice(0, 4).map((a) => (a.status === 'rejected' ? (a.reason as Error).constructor.name : 'fulfilled'));
      expect(reasons.sort()).to.deep.equal(['InvalidGrant', 'InvalidGrant', 'PasswordCheckBusy', 'PasswordCheckBusy']);
      expect(attempts[4]!.status).to.equal('fulfilled');
      const { accessToken } = await slow.issueToken({ email: victim, password: PASSWORD, scopes: [] }); // free again
      const changes = await Promise.allSettled(Array.from({ length: 3 }, () => slow.changePassword(accessToken, { oldPassword: 'nope nope nope', password: 'another passphrase' })));
      expect(changes.map((c) => c.status === 'rejected' && c.reason instanceof PasswordCheckBusy)).to.have.members([true, false, false]);
    });
  });
});

describe('EmbeddedAuthServer without its database', () => {
  it('answers AuthServerUnavailable', async function () {
    requireService(this, await postgresAvailable(), 'PostgreSQL on 127.0.0.1:5432');
    const fresh = await freshPostgresDatabase();
    const database = await openDatabase({ databaseUrl: fresh.url, dataDir: 'unused' });
    await fresh.drop(); // drops with FORCE: every pooled connection is terminated
    const server = new EmbeddedAuthServer(new KyselyEmbeddedAccounts(database.db));
    try {
      expect(await rejectionOf(server.ping())).to.be.instanceOf(AuthServerUnavailable);
      expect(await rejectionOf(server.introspect('whatever'))).to.be.instanceOf(AuthServerUnavailable);
    } finally {
      await database.close();
    }
  });
});
