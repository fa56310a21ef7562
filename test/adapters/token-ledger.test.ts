import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { withTokenLedger, type TokenLedgerSettings } from '../../src/adapters/auth/token-ledger.js';
import { KyselyTokenLedger } from '../../src/adapters/db/kysely-token-ledger.js';
import type { OpenDatabase } from '../../src/adapters/db/open-database.js';
import { PostgresRetirementChannel } from '../../src/adapters/db/postgres-retirement-channel.js';
import type { Database } from '../../src/adapters/db/schema.js';
import { DatabaseUnavailable, InvalidGrant } from '../../src/domain/errors.js';
import type { Retirement } from '../../src/ports/retirement-channel.js';
import { FakeAuthServer } from '../fakes/fake-auth-server.js';
import { requireService } from '../support/availability.js';
import { listeningDatabase, type ListeningDatabase } from '../support/listening-database.js';
import { postgresAvailable } from '../support/postgres.js';
import { rejectionOf } from '../support/rejection.js';

const PASSWORD = 'correct horse battery';
const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');
const settle = () => new Promise((resolve) => setTimeout(resolve, 100));

/** A DOT-like server (FakeAuthServer keeps tokens across a password change) behind the ledger, on the machine PostgreSQL. */
describe('withTokenLedger + KyselyTokenLedger', function () {
  this.timeout(20_000);
  let listening: ListeningDatabase;
  let database: OpenDatabase;
  let channel: PostgresRetirementChannel;
  let heard: Retirement[];
  let warnings: object[];
  let server: FakeAuthServer;
  const subjects = new Map<string, string>(); // email → subject, as the fake names them
  let n = 0;

  before(async function () {
    requireService(this, await postgresAvailable(), 'PostgreSQL on 127.0.0.1:5432');
    listening = await listeningDatabase();
    ({ database, channel, heard } = listening);
  });
  after(async () => { await listening?.close(); });
  beforeEach(() => { heard.length = 0; warnings = []; server = new FakeAuthServer(); });

  const ledgered = (settings: Partial<TokenLedgerSettings> = {}, db: Kysely<Database> = database.db) => withTokenLedger(server, new KyselyTokenLedger(db), {
    retireOnPasswordChange: { subjectOf: (c) => subjects.get(c.email)! }, channel, log: { warn: (fields) => warnings.push(fields) }, ...settings,
  });
  const account = async () => {
    const email = `ledger-${n++}@example.com`;
    subjects.set(email, (await server.signUp({ email, password: PASSWORD })).subject);
    return email;
  };

  it('retires every token of the account it knows of, from a sign-in through it or an introspection, and refuses them without asking the server', async () => {
    const auth = ledgered();
    const email = await account();
    const signedIn = await auth.issueToken({ email, password: PASSWORD, scopes: [] }); // known from the start
    const introspected = await server.issueToken({ email, password: PASSWORD, scopes: [] });
    expect((await auth.introspect(introspected.accessToken)).active).to.equal(true); // known from now on
    const unseen = await server.issueToken({ email, password: PASSWORD, scopes: [] });
    await auth.changePassword(signedIn.accessToken, { oldPassword: PASSWORD, password: 'a brand new passphrase' });
    await settle();
    expect(heard).to.deep.equal([{ subject: subjects.get(email) }]);
    const asked = server.introspections;
    for (const token of [signedIn.accessToken, introspected.accessToken]) expect(await auth.introspect(token)).to.deep.equal({ active: false });
    expect(server.introspections).to.equal(asked);
    expect(await rejectionOf(auth.refresh(signedIn.refreshToken))).to.be.instanceOf(InvalidGrant);
    expect((await server.refresh(signedIn.refreshToken)).accessToken).to.be.a('string'); // the server itself would have honoured it
    expect((await auth.introspect(unseen.accessToken)).active).to.equal(true); // what it cannot reach
  });

  it('writes what it learns once: later introspections of a known token, on any instance, write nothing', async () => {
    class CountingLedger extends KyselyTokenLedger {
      writes = 0;
      override introspected(tokenHash: string, subject: string, exp: Date): Promise<void> { this.writes++; return super.introspected(tokenHash, subject, exp); }
    }
    const [here, there] = [new CountingLedger(database.db), new CountingLedger(database.db)];
    const settings: TokenLedgerSettings = { retireOnPasswordChange: { subjectOf: () => 'unused' }, channel, log: { warn: () => undefined } };
    const email = await account();
    const { accessToken } = await server.issueToken({ email, password: PASSWORD, scopes: [] });
    for (let i = 0; i < 5; i++) await withTokenLedger(server, here, settings).introspect(accessToken);
    for (let i = 0; i < 5; i++) await withTokenLedger(server, there, settings).introspect(accessToken);
    expect([here.writes, there.writes]).to.deep.equal([1, 0]);
  });

  it('lets an introspection correct the subject a sign-in guessed', async () => {
    const auth = ledgered({ retireOnPasswordChange: { subjectOf: () => 'a wrong guess' } });
    const email = await account();
    const { accessToken } = await auth.issueToken({ email, password: PASSWORD, scopes: [] });
    await auth.introspect(accessToken);
    const row = await database.db.selectFrom('seen_tokens').select('subject').where('token_hash', '=', hashOf(accessToken)).executeTakeFirstOrThrow();
    expect(row.subject).to.equal(subjects.get(email));
  });

  it('publishes the access token a refresh replaced, wherever the pair was issued, and a revoked one; without retirement on password change too', async () => {
    const issuing = ledgered({ retireOnPasswordChange: undefined });
    const refreshing = ledgered({ retireOnPasswordChange: undefined }); // another instance
    const email = await account();
    const first = await issuing.issueToken({ email, password: PASSWORD, scopes: [] });
    const second = await refreshing.refresh(first.refreshToken);
    await refreshing.revoke(second.accessToken);
    await settle();
    expect(heard).to.deep.equal([{ tokenHash: hashOf(first.accessToken) }, { tokenHash: hashOf(second.accessToken) }]);
  });

  it('hands a refreshed pair the retirement of the pair it replaced, should a password change land in between', async () => {
    const ledger = new KyselyTokenLedger(database.db);
    await ledger.issued({ tokenHash: 'old-access', refreshHash: 'old-refresh', expiresIn: 60 }, 'racer');
    await ledger.retireSubject('racer');
    await ledger.refreshed('old-refresh', { tokenHash: 'new-access', refreshHash: 'new-refresh', expiresIn: 60 });
    expect(await ledger.find('new-access')).to.deep.equal({ subject: 'racer', retired: true });
    expect(await ledger.find('old-access')).to.equal(undefined);
    expect(await ledger.refreshRetired('new-refresh')).to.equal(true);
  });

  it('prunes rows whose time is up', async () => {
    const ledger = new KyselyTokenLedger(database.db, { pairSeconds: 60, sweepEverySeconds: 0 });
    await ledger.introspected('gone', 'someone', new Date(Date.now() - 1_000));
    await ledger.introspected('kept', 'someone', new Date(Date.now() + 60_000)); // sweeps, without waiting for it
    await settle();
    expect(await ledger.find('gone')).to.equal(undefined);
    expect(await ledger.find('kept')).to.deep.equal({ subject: 'someone', retired: false });
  });

  it('answers what the server did even when the ledger cannot record it, and logs it; refuses to introspect without the ledger', async () => {
    const nowhere = new Kysely<Database>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: 'postgres://postgres@127.0.0.1:1/none', connectionTimeoutMillis: 500 }) }) });
    try {
      const auth = ledgered({}, nowhere);
      const email = await account();
      const pair = await auth.issueToken({ email, password: PASSWORD, scopes: [] });
      expect(pair.accessToken).to.be.a('string');
      expect(warnings).to.have.length(1);
      expect(JSON.stringify(warnings)).not.to.include(pair.accessToken);
      expect(await rejectionOf(auth.introspect(pair.accessToken))).to.be.instanceOf(DatabaseUnavailable);
    } finally {
      await nowhere.destroy();
    }
  });
});
