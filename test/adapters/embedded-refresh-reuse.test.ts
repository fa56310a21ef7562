import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { EmbeddedAuthServer } from '../../src/adapters/auth/embedded-auth-server.js';
import { KyselyEmbeddedAccounts } from '../../src/adapters/db/kysely-embedded-accounts.js';
import type { OpenDatabase } from '../../src/adapters/db/open-database.js';
import { InvalidGrant } from '../../src/domain/errors.js';
import type { Retirement } from '../../src/ports/retirement-channel.js';
import { requireService } from '../support/availability.js';
import { listeningDatabase, type ListeningDatabase } from '../support/listening-database.js';
import { postgresAvailable } from '../support/postgres.js';
import { rejectionOf } from '../support/rejection.js';

const PASSWORD = 'correct horse battery';
const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');

describe('EmbeddedAuthServer: refresh-token reuse and what it publishes', function () {
  this.timeout(20_000);
  let listening: ListeningDatabase;
  let database: OpenDatabase;
  let heard: Retirement[];
  let logged: { level: string; fields: object; message: string }[];
  let clock: Date;
  let server: EmbeddedAuthServer;
  let n = 0;

  before(async function () {
    requireService(this, await postgresAvailable(), 'PostgreSQL on 127.0.0.1:5432');
    listening = await listeningDatabase();
    ({ database, heard } = listening);
  });
  after(async () => { await listening?.close(); });
  beforeEach(async () => {
    await listening.drained(); // the last test's notices, which a loaded machine may deliver late, are not this test's
    heard.length = 0;
    logged = [];
    clock = new Date('2026-12-02T12:00:00Z');
    const log = { info: (fields: object, message: string) => logged.push({ level: 'info', fields, message }), warn: (fields: object, message: string) => logged.push({ level: 'warn', fields, message }) };
    server = new EmbeddedAuthServer(new KyselyEmbeddedAccounts(database.db), { passwordHashCost: 12, now: () => clock, log });
  });
  const later = (ms: number) => { clock = new Date(clock.getTime() + ms); };
  /** NOTIFY is delivered after the commit, on another connection: wait until all of it has arrived. */
  const settle = () => listening.drained();
  const signIn = async () => {
    const email = `reuse-${n++}-${Date.now()}@example.com`;
    const account = await server.signUp({ email, password: PASSWORD });
    return { subject: account.subject, first: await server.issueToken({ email, password: PASSWORD, scopes: [] }) };
  };
  const active = async (accessToken: string) => (await server.introspect(accessToken)).active;

  it('refuses a rotated refresh token used again after the grace, revokes its whole family everywhere, and warns naming the account only', async () => {
    const { subject, first } = await signIn();
    const second = await server.refresh(first.refreshToken);
    later(1_000);
    const third = await server.refresh(second.refreshToken);
    const bystander = await signIn(); // another account, and another family
    later(6_000);
    heard.length = 0;
    expect(await rejectionOf(server.refresh(first.refreshToken))).to.be.instanceOf(InvalidGrant);
    expect(await active(third.accessToken)).to.equal(false);
    expect(await rejectionOf(server.refresh(third.refreshToken))).to.be.instanceOf(InvalidGrant);
    expect(await active(bystander.first.accessToken)).to.equal(true);
    await settle();
    expect(heard).to.deep.equal([{ tokenHash: hashOf(third.accessToken) }]);
    const warning = logged.find((l) => l.level === 'warn');
    expect(warning?.fields).to.deep.include({ subject, revokedPairs: 1 });
    const written = JSON.stringify(logged);
    for (const token of [first, second, third].flatMap((p) => [p.accessToken, p.refreshToken])) {
      expect(written).not.to.include(token);
      expect(written).not.to.include(hashOf(token));
    }
  });

  it('refuses a replay within the grace without revoking anything: the client\'s own race, not a theft', async () => {
    const { first } = await signIn();
    const second = await server.refresh(first.refreshToken);
    later(4_900);
    expect(await rejectionOf(server.refresh(first.refreshToken))).to.be.instanceOf(InvalidGrant);
    expect(await active(second.accessToken)).to.equal(true);
    expect((await server.refresh(second.refreshToken)).accessToken).to.be.a('string');
    expect(logged.map((l) => l.level)).to.deep.equal(['info']);
  });

  it('gives two concurrent refreshes with one token one pair and one InvalidGrant, and keeps the family', async () => {
    const real = new EmbeddedAuthServer(new KyselyEmbeddedAccounts(database.db), { passwordHashCost: 12, log: { info: () => undefined, warn: (f, m) => logged.push({ level: 'warn', fields: f, message: m }) } });
    for (let round = 0; round < 20; round++) {
      const email = `race-${n++}-${Date.now()}@example.com`;
      await real.signUp({ email, password: PASSWORD });
      const { refreshToken } = await real.issueToken({ email, password: PASSWORD, scopes: [] });
      const results = await Promise.allSettled([real.refresh(refreshToken), real.refresh(refreshToken)]);
      const won = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      const lost = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
      expect(won).to.have.length(1);
      expect(lost[0]).to.be.instanceOf(InvalidGrant);
      expect((await real.introspect(won[0]!.accessToken)).active).to.equal(true);
    }
    expect(logged).to.deep.equal([]);
  });

  it('says nothing of reuse for an unknown refresh token, or one a password change revoked', async () => {
    expect(await rejectionOf(server.refresh('never-issued'))).to.be.instanceOf(InvalidGrant);
    const { first } = await signIn();
    await server.changePassword(first.accessToken, { oldPassword: PASSWORD, password: 'a brand new passphrase' });
    later(60_000);
    expect(await rejectionOf(server.refresh(first.refreshToken))).to.be.instanceOf(InvalidGrant);
    expect(logged).to.deep.equal([]);
  });

  it('publishes the access token a refresh replaces, the one a revocation revokes, and the account a password change retires', async () => {
    const { first } = await signIn();
    const second = await server.refresh(first.refreshToken);
    await server.revoke(second.accessToken);
    await server.revoke(second.accessToken); // already revoked: nothing more to say
    const other = await signIn();
    await server.changePassword(other.first.accessToken, { oldPassword: PASSWORD, password: 'a brand new passphrase' });
    await settle();
    expect(heard).to.deep.equal([{ tokenHash: hashOf(first.accessToken) }, { tokenHash: hashOf(second.accessToken) }, { subject: other.subject }]);
  });
});
