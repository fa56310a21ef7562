import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { openDatabase } from '../../src/adapters/db/open-database.js';
import { KyselyUserRepository } from '../../src/adapters/db/kysely-user-repository.js';
import { loadConfig } from '../../src/config.js';
import { startGatehouse, type RunningGatehouse } from '../../src/main.js';
import { ApiClient, type ApiResponse } from '../support/api-client.js';
import { requireService } from '../support/availability.js';
import { dotPeerAvailable } from '../support/dot-peer.js';
import { startTestGatehouse, type GatehouseUnderTest } from '../support/gatehouse.js';
import { freshPostgresDatabase, postgresAvailable } from '../support/postgres.js';
import { runAdmin, runOnTerminal, type AdminRun, type AuditLine } from './admin-cli.js';

const PASSWORD = 'correct horse battery';
const unique = (name: string) => `${name}-${Math.random().toString(36).slice(2, 10)}@example.com`;
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Exit 0, one line for the operator, one audit line with these fields and neither the email nor the password in it. */
function expectDone(run: AdminRun, audit: Omit<AuditLine, 'actor' | 'target'> & { target?: number }, secrets: string[]): AuditLine {
  expect(run.code, `${run.stdout}\n${run.stderr}`).to.equal(0);
  expect(run.line).to.be.a('string');
  expect(run.audit).to.deep.include({ actor: 'cli', ...audit });
  for (const secret of secrets) expect(run.auditText!.toLowerCase()).not.to.include(secret.toLowerCase());
  return run.audit!;
}

function expectFailed(run: AdminRun, message: RegExp, secret?: string): void {
  expect(run.code, run.stdout).to.equal(1);
  expect(run.stderr).to.match(/^gatehouse admin: /);
  expect(run.stderr.trim().split('\n')).to.have.length(1);
  expect(run.stderr).to.match(message);
  expect(run.audit).to.equal(undefined);
  if (secret) expect(run.stdout + run.stderr).not.to.include(secret);
}

/** Asks until `done` holds, for at most `ms`; answers the last response and how long it took. */
async function within(ms: number, ask: () => Promise<ApiResponse>, done: (r: ApiResponse) => boolean): Promise<{ res: ApiResponse; ms: number }> {
  const started = performance.now();
  let res = await ask();
  while (!done(res) && performance.now() - started < ms) { await sleep(10); res = await ask(); }
  return { res, ms: performance.now() - started };
}

async function signIn(api: ApiClient, email: string, password = PASSWORD): Promise<ApiResponse> {
  return api.post('/users/token/', { json: { email, password } });
}

describe('npm run admin (embedded authorization server and PostgreSQL)', function () {
  this.timeout(120_000);
  let dataDir: string;
  let server: RunningGatehouse | undefined;
  let api: ApiClient;
  const env = () => ({ DATA_DIR: dataDir, PASSWORD_HASH_COST: '12' });
  const startServer = async () => {
    // A cache TTL far longer than the test: only the published change can make the server notice in time.
    const config = loadConfig({ ...env(), PORT: '0', HOST: '127.0.0.1', RATE_LIMIT_ENABLED: 'false', INTROSPECTION_CACHE_TTL: '300' });
    server = await startGatehouse(config, pino({ level: 'silent' }));
    api = new ApiClient(server.url);
  };

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'gatehouse-admin-'));
    await startServer();
  });
  after(async () => {
    await server?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('create-superuser, with the server running, makes an account that signs in there and administers users (npm run admin)', async () => {
    const email = unique('Root');
    const run = await runAdmin(['create-superuser', '--email', email], { ...env(), ADMIN_PASSWORD: PASSWORD }, { viaNpm: true });
    const audit = expectDone(run, { action: 'create-superuser', before: { is_staff: false, is_active: true, is_superuser: false }, after: { is_staff: true, is_active: true, is_superuser: true } }, [email, PASSWORD]);
    expect(run.line).to.equal(`gatehouse admin: ${email.toLowerCase()} is a superuser: staff and active (user ${audit.target}, account created)`);
    const token = await signIn(api, email.toLowerCase());
    expect(token.status, token.text).to.equal(200);
    const users = await api.get('/admin/users/', { token: token.body.access_token });
    expect(users.status, users.text).to.equal(200);
    const me = await api.get(`/admin/users/${audit.target}/`, { token: token.body.access_token });
    expect(me.body).to.include({ email: email.toLowerCase(), is_staff: true, is_active: true });
  });

  it('grant-staff, revoke-staff, deactivate and activate act on the running server at once', async () => {
    const alice = await api.newUser('alice');
    const admin = (command: string) => runAdmin([command, alice.email], env());
    const secrets = [alice.email, alice.password, alice.token];
    expect((await api.get('/admin/users/', { token: alice.token })).status).to.equal(403);

    expectDone(await admin('grant-staff'), { action: 'grant-staff', target: alice.id, before: { is_staff: false, is_active: true, is_superuser: false }, after: { is_staff: true, is_active: true, is_superuser: false } }, secrets);
    expect((await within(1_000, () => api.get('/admin/users/', { token: alice.token }), (r) => r.status === 200)).res.status).to.equal(200);

    const revoked = await admin('revoke-staff');
    expectDone(revoked, { action: 'revoke-staff', before: { is_staff: true, is_active: true, is_superuser: false }, after: { is_staff: false, is_active: true, is_superuser: false } }, secrets);
    expect(revoked.line).to.equal(`gatehouse admin: ${alice.email} is no longer staff (user ${alice.id})`);
    expect((await within(1_000, () => api.get('/admin/users/', { token: alice.token }), (r) => r.status === 403)).res.status).to.equal(403);

    expect((await api.get('/items/', { token: alice.token })).status).to.equal(200); // cached on the server from here on
    expectDone(await admin('deactivate'), { action: 'deactivate', before: { is_staff: false, is_active: true, is_superuser: false }, after: { is_staff: false, is_active: false, is_superuser: false } }, secrets);
    const refused = await within(1_000, () => api.get('/items/', { token: alice.token }), (r) => r.status === 401);
    console.log(`      deactivated by the command line, refused by the running server ${refused.ms.toFixed(0)} ms after it exited`);
    expect(refused.res.status).to.equal(401);
    expect(refused.res.body.detail).to.equal('the account is disabled');
    const whileOff = await signIn(api, alice.email);
    expect(whileOff.status).to.equal(400);
    expect(whileOff.body.error).to.equal('invalid_grant');

    expectDone(await admin('activate'), { action: 'activate', before: { is_staff: false, is_active: false, is_superuser: false }, after: { is_staff: false, is_active: true, is_superuser: false } }, secrets);
    const back = await signIn(api, alice.email);
    expect(back.status, back.text).to.equal(200);
    expect((await api.get('/items/', { token: back.body.access_token })).status).to.equal(200);
  });

  it('create-superuser makes a superuser; grant-superuser and revoke-superuser decide at once who may change staff through the API', async () => {
    const email = unique('su-root');
    expectDone(await runAdmin(['create-superuser', '--email', email], { ...env(), ADMIN_PASSWORD: PASSWORD }), { action: 'create-superuser',
      before: { is_staff: false, is_active: true, is_superuser: false }, after: { is_staff: true, is_active: true, is_superuser: true } }, [email, PASSWORD]);
    const root = (await signIn(api, email)).body.access_token as string;
    const [bob, carol] = [await api.newUser('su-bob'), await api.newUser('su-carol')];
    const promote = (token: string) => api.patch(`/admin/users/${carol.id}/`, { token, json: { is_staff: true } });
    const demote = (token: string) => api.patch(`/admin/users/${carol.id}/`, { token, json: { is_staff: false } });
    expect((await promote(root)).status).to.equal(200);
    expect((await demote(root)).status).to.equal(200);

    expectDone(await runAdmin(['grant-staff', bob.email], env()), { action: 'grant-staff', target: bob.id,
      before: { is_staff: false, is_active: true, is_superuser: false }, after: { is_staff: true, is_active: true, is_superuser: false } }, [bob.email]);
    const asStaff = await within(1_000, () => promote(bob.token), (r) => r.status === 403);
    expect(asStaff.res.body.type).to.equal('/problems/not_superuser');

    const granted = await runAdmin(['grant-superuser', bob.email], env());
    expectDone(granted, { action: 'grant-superuser', target: bob.id,
      before: { is_staff: true, is_active: true, is_superuser: false }, after: { is_staff: true, is_active: true, is_superuser: true } }, [bob.email, bob.password]);
    expect(granted.line).to.equal(`gatehouse admin: ${bob.email} is now a superuser (and staff) (user ${bob.id})`);
    expect((await within(1_000, () => promote(bob.token), (r) => r.status === 200)).res.body).to.include({ is_staff: true });

    const revoked = await runAdmin(['revoke-superuser', bob.email], env());
    expectDone(revoked, { action: 'revoke-superuser', target: bob.id,
      before: { is_staff: true, is_active: true, is_superuser: true }, after: { is_staff: true, is_active: true, is_superuser: false } }, [bob.email]);
    expect((await within(1_000, () => demote(bob.token), (r) => r.status === 403)).res.body.type).to.equal('/problems/not_superuser');
    expect((await runAdmin(['revoke-superuser', bob.email], env())).line).to.match(/was not a superuser/);
  });

  it('fails with one clear line and exit 1: an unknown email, not an email, a weak password, another account\'s wrong password', async () => {
    const bob = await api.newUser('bob');
    const [unknown, notEmail, weak, wrong] = await Promise.all([
      runAdmin(['deactivate', unique('nobody')], env()),
      runAdmin(['create-superuser', '--email', 'not-an-email'], { ...env(), ADMIN_PASSWORD: PASSWORD }),
      runAdmin(['create-superuser', '--email', unique('weak')], { ...env(), ADMIN_PASSWORD: '12345678' }),
      runAdmin(['create-superuser', `--email=${bob.email}`], { ...env(), ADMIN_PASSWORD: 'not bobs password 1' }),
    ]);
    expectFailed(unknown, /no user with the email nobody-.*@example\.com/);
    expectFailed(notEmail, /"not-an-email" is not an email address/);
    expectFailed(weak, /password: This password is too common\. This password is entirely numeric\./, '12345678');
    expectFailed(wrong, new RegExp(`${bob.email} already has an account and this is not its password`), 'not bobs password 1');
    expect((await api.get('/items/', { token: bob.token })).status).to.equal(200); // untouched
  });

  it('refuses create-superuser without a terminal and without ADMIN_PASSWORD, saying how to give one', async () => {
    const [run, usage] = await Promise.all([
      runAdmin(['create-superuser', '--email', unique('nopass')], env()),
      runAdmin(['create-superuser', '--email', unique('x'), '--password', 'secret-on-argv'], env()),
    ]);
    expectFailed(run, /no password: set ADMIN_PASSWORD, or run create-superuser on a terminal/);
    expect(usage.code).to.equal(2);
    expect(usage.stderr).to.match(/never the command line/);
  });

  it('asks for the password twice on a terminal, never echoing it, asks again when the two differ, and stops at Ctrl-C', async function () {
    const python = '/usr/bin/python3';
    requireService(this, existsSync(python), python);
    const email = unique('typed');
    const typed = 'typed on a terminal 7';
    const [run, cancelled] = await Promise.all([
      runOnTerminal(python, ['create-superuser', '--email', email], env(), [
        ['Password: ', typed], ['Password (again): ', 'a typo in it'], ['Password: ', typed], ['Password (again): ', typed],
      ]),
      runOnTerminal(python, ['create-superuser', '--email', unique('cancelled')], env(), [['Password: ', 'half typed\u0003']]),
    ]);
    for (const secret of [typed, 'a typo in it']) expect(run.stdout).not.to.include(secret);
    expect(run.stdout).to.include("Error: your passwords didn't match.");
    expectDone(run, { action: 'create-superuser', before: { is_staff: false, is_active: true, is_superuser: false }, after: { is_staff: true, is_active: true, is_superuser: true } }, [email, typed]);
    expect((await signIn(api, email, typed)).status).to.equal(200);
    expect(cancelled.code).to.equal(130);
    expect(cancelled.stdout).to.include('gatehouse admin: cancelled').and.not.include('half typed');
  });

  it('works with the server stopped: starts the embedded PostgreSQL itself and stops it again; the server then starts as usual', async () => {
    const carol = await api.newUser('carol');
    await server!.close();
    server = undefined;
    const email = unique('offline');
    const created = await runAdmin(['create-superuser', '--email', email], { ...env(), ADMIN_PASSWORD: PASSWORD });
    expectDone(created, { action: 'create-superuser', before: { is_staff: false, is_active: true, is_superuser: false }, after: { is_staff: true, is_active: true, is_superuser: true } }, [email, PASSWORD]);
    const granted = await runAdmin(['grant-staff', carol.email], env());
    expectDone(granted, { action: 'grant-staff', target: carol.id, before: { is_staff: false, is_active: true, is_superuser: false }, after: { is_staff: true, is_active: true, is_superuser: false } }, [carol.email]);
    console.log(`      with the server stopped: create-superuser ${created.ms.toFixed(0)} ms, grant-staff ${granted.ms.toFixed(0)} ms`);
    expect(existsSync(join(dataDir, 'postgres', 'postmaster.pid')), 'postgres left running').to.equal(false);

    await startServer();
    const token = await signIn(api, email);
    expect(token.status, token.text).to.equal(200);
    expect((await api.get('/admin/users/', { token: token.body.access_token })).status).to.equal(200);
    expect((await api.get('/admin/users/', { token: carol.token })).status).to.equal(200);
  });
});

describe('npm run admin (Django OAuth Toolkit, PostgreSQL)', function () {
  this.timeout(120_000);
  let gatehouse: GatehouseUnderTest;
  let api: ApiClient;
  let env: Record<string, string>;

  before(async function () {
    requireService(this, await postgresAvailable(), 'PostgreSQL on 127.0.0.1:5432');
    requireService(this, dotPeerAvailable(), 'the Django OAuth Toolkit peer');
    gatehouse = await startTestGatehouse({ database: 'postgres', auth: 'dot', env: { INTROSPECTION_CACHE_TTL: '300' } });
    api = new ApiClient(gatehouse.url);
    const dot = gatehouse.dot!;
    env = { DATABASE_URL: gatehouse.databaseUrl!, AUTH_ADAPTER: 'dot', AUTH_SERVER_URL: dot.url, AUTH_CLIENT_ID: dot.clientId, AUTH_CLIENT_SECRET: dot.clientSecret };
  });
  after(async () => { await gatehouse?.close(); });

  it('create-superuser signs the account up at DOT and mirrors it as DOT names it: the server finds that same user', async () => {
    const email = unique('dotroot');
    const run = await runAdmin(['create-superuser', '--email', email], { ...env, ADMIN_PASSWORD: PASSWORD });
    const audit = expectDone(run, { action: 'create-superuser', before: { is_staff: false, is_active: true, is_superuser: false }, after: { is_staff: true, is_active: true, is_superuser: true } }, [email, PASSWORD]);
    expect(run.line).to.match(/account created\)$/);
    const token = await signIn(api, email);
    expect(token.status, token.text).to.equal(200);
    const found = await api.get(`/admin/users/?search=${encodeURIComponent(email)}`, { token: token.body.access_token });
    expect(found.status, found.text).to.equal(200);
    expect(found.body.results).to.have.length(1); // one user: the server's mirror is the one the command line made
    expect(found.body.results[0]).to.include({ id: audit.target, email, is_staff: true, is_active: true });
  });

  it('create-superuser promotes an existing DOT account given its password, and refuses a wrong one', async () => {
    const dave = await api.newUser('dave');
    expectFailed(await runAdmin(['create-superuser', '--email', dave.email], { ...env, ADMIN_PASSWORD: 'not daves password 2' }),
      /already has an account and this is not its password/, 'not daves password 2');
    const run = await runAdmin(['create-superuser', '--email', dave.email], { ...env, ADMIN_PASSWORD: dave.password });
    expectDone(run, { action: 'create-superuser', target: dave.id, before: { is_staff: false, is_active: true, is_superuser: false }, after: { is_staff: true, is_active: true, is_superuser: true } }, [dave.email, dave.password]);
    expect(run.line).to.match(/existing account\)$/);
    expect((await within(1_000, () => api.get('/admin/users/', { token: dave.token }), (r) => r.status === 200)).res.status).to.equal(200);
  });

  it('grant-superuser and revoke-superuser mark the DOT user the server finds: its token may change staff, then not', async () => {
    const [fay, gus] = [await api.newUser('su-fay'), await api.newUser('su-gus')];
    const promote = () => api.patch(`/admin/users/${gus.id}/`, { token: fay.token, json: { is_staff: true } });
    expectDone(await runAdmin(['grant-superuser', fay.email], env), { action: 'grant-superuser', target: fay.id,
      before: { is_staff: false, is_active: true, is_superuser: false }, after: { is_staff: true, is_active: true, is_superuser: true } }, [fay.email]);
    expect((await within(1_000, promote, (r) => r.status === 200)).res.status).to.equal(200);
    expectDone(await runAdmin(['revoke-superuser', fay.email], env), { action: 'revoke-superuser', target: fay.id,
      before: { is_staff: true, is_active: true, is_superuser: true }, after: { is_staff: true, is_active: true, is_superuser: false } }, [fay.email]);
    expect((await within(1_000, promote, (r) => r.status === 403)).res.body.type).to.equal('/problems/not_superuser');
  });

  it('deactivate refuses the DOT user\'s token on the running server at once', async () => {
    const erin = await api.newUser('erin');
    expect((await api.get('/items/', { token: erin.token })).status).to.equal(200);
    expectDone(await runAdmin(['deactivate', erin.email], env), { action: 'deactivate', target: erin.id, before: { is_staff: false, is_active: true, is_superuser: false }, after: { is_staff: false, is_active: false, is_superuser: false } }, [erin.email]);
    const refused = await within(1_000, () => api.get('/items/', { token: erin.token }), (r) => r.status === 401);
    expect(refused.res.status).to.equal(401);
  });
});

describe('npm run admin (oauth2 and jwt: accounts live at the authorization server)', function () {
  this.timeout(60_000);
  let databaseUrl: string;
  let drop: (() => Promise<void>) | undefined;
  const known = unique('known');

  before(async function () {
    requireService(this, await postgresAvailable(), 'PostgreSQL on 127.0.0.1:5432');
    const fresh = await freshPostgresDatabase();
    ({ url: databaseUrl, drop } = fresh);
    const database = await openDatabase({ databaseUrl, dataDir: '' });
    await new KyselyUserRepository(database.db).mirror({ subject: 'sub-known', email: known }); // as its first request does
    await database.close();
  });
  after(async () => { await drop?.(); });

  // No server to reach: the command line only marks a user Gatehouse has already seen, and asks no password.
  const SETTINGS = {
    oauth2: { AUTH_ADAPTER: 'oauth2', AUTH_SERVER_URL: 'http://127.0.0.1:9', AUTH_CLIENT_ID: 'gatehouse', AUTH_CLIENT_SECRET: 'unused' },
    jwt: { AUTH_ADAPTER: 'jwt', AUTH_SERVER_URL: 'http://127.0.0.1:9', AUTH_AUDIENCE: 'https://api.example.com/' },
  };

  it('marks a user that has signed in, and says so and exits 1 for one that has not', async () => {
    const [oauth2Known, jwtUnknown] = await Promise.all([
      runAdmin(['create-superuser', '--email', known], { ...SETTINGS.oauth2, DATABASE_URL: databaseUrl }),
      runAdmin(['create-superuser', '--email', unique('stranger')], { ...SETTINGS.jwt, DATABASE_URL: databaseUrl }),
    ]);
    expectDone(oauth2Known, { action: 'create-superuser', after: { is_staff: true, is_active: true, is_superuser: true }, before: { is_staff: false, is_active: true, is_superuser: false } }, [known]);
    expect(oauth2Known.line).to.match(/existing user\)$/);
    expectFailed(jwtUnknown, /has not signed in to Gatehouse yet: with AUTH_ADAPTER=jwt/);
  });

  it('exits 1 with one line when the database cannot be reached', async () => {
    const run = await runAdmin(['grant-staff', known], { ...SETTINGS.oauth2, DATABASE_URL: 'postgres://postgres:hunter22@127.0.0.1:9/postgres' });
    expectFailed(run, /cannot reach the database "postgres" on 127\.0\.0\.1:9 as user "postgres": connection refused .*; check DATABASE_URL\n/, 'hunter22');
  });
});
