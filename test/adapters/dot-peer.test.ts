import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { requireService } from '../support/availability.js';
import { dotPeerAvailable, dotPeerDirectory, startDotPeer, type DotPeer } from '../support/dot-peer.js';

// The Django OAuth Toolkit peer ships in the repository. This suite copies the files git tracks under
// peers/django-oauth-toolkit, and nothing else, into an empty temp dir and starts that copy: a
// peer that needed a folder beside the clone, an untracked file or a generated one fails here.
// Then it checks the cases of the peer's README that Gatehouse's DOT adapter relies on.

const PASSWORD = 'correct horse battery';
const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** The peer's tracked files, copied to `<tmp>/peers/django-oauth-toolkit`; returns that directory. */
function copyOfTrackedPeer(into: string): string {
  const source = dotPeerDirectory();
  const root = dirname(dirname(source));
  const tracked = execFileSync('git', ['ls-files', '-z', '--', relative(root, source)], { cwd: root, encoding: 'utf8' })
    .split('\0').filter(Boolean);
  expect(tracked, 'files git tracks under the peer').to.include.members([`${relative(root, source)}/start.sh`]);
  for (const file of tracked) {
    mkdirSync(dirname(join(into, file)), { recursive: true });
    copyFileSync(join(root, file), join(into, file)); // keeps start.sh's executable bit
  }
  return join(into, relative(root, source));
}

describe('the DOT peer in peers/django-oauth-toolkit', function () {
  this.timeout(60_000);
  let scratch: string;
  let peer: DotPeer;

  before(async function () {
    requireService(this, dotPeerAvailable(), 'the DOT peer');
    scratch = mkdtempSync(join(tmpdir(), 'gatehouse-peer-copy-'));
    peer = await startDotPeer({ directory: copyOfTrackedPeer(scratch) });
  });
  after(async () => {
    await peer?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  const basic = () => `Basic ${Buffer.from(`${peer.clientId}:${peer.clientSecret}`).toString('base64')}`;
  const call = async (path: string, init: { method?: string; form?: Record<string, string>; json?: unknown; auth?: string; headers?: Record<string, string> }) => {
    const headers: Record<string, string> = { ...init.headers, ...(init.auth ? { Authorization: init.auth } : {}) };
    let body: string | URLSearchParams | undefined;
    if (init.form) body = new URLSearchParams(init.form);
    if (init.json !== undefined) { body = JSON.stringify(init.json); headers['Content-Type'] = 'application/json'; }
    const res = await fetch(`${peer.url}${path}`, { method: init.method ?? 'POST', headers, body });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) as Record<string, unknown> : undefined };
  };
  const signUp = (email: string) => call('/users/signup/', { json: { email, password: PASSWORD, password2: PASSWORD } });
  const passwordGrant = (email: string, password = PASSWORD) =>
    call('/o/token/', { auth: basic(), form: { grant_type: 'password', username: email, password } });
  const introspect = (token: string, auth = basic(), headers: Record<string, string> = {}) =>
    call('/o/introspect/', { auth, form: { token }, headers });
  const pairFor = async (email: string) => {
    expect((await signUp(email)).status).to.equal(201);
    const { body } = await passwordGrant(email);
    return body as { access_token: string; refresh_token: string };
  };

  it('signs up with 201 and the email, and refuses the same email again with the field named', async () => {
    expect(await signUp('ann@example.com')).to.deep.equal({ status: 201, body: { email: 'ann@example.com' } });
    expect(await signUp('ann@example.com')).to.deep.equal({ status: 400, body: { email: ['This field must be unique.'] } });
  });

  it('grants a token pair for the right password and invalid_grant for a wrong one', async () => {
    await signUp('ben@example.com');
    const ok = await passwordGrant('ben@example.com');
    expect(ok.status).to.equal(200);
    expect(ok.body).to.include({ token_type: 'Bearer', expires_in: 36000, scope: 'read write introspection' });
    expect(ok.body!.access_token).to.match(/^[A-Za-z0-9]{30}$/);
    expect(await passwordGrant('ben@example.com', 'not the password')).to.deep.equal({
      status: 400, body: { error: 'invalid_grant', error_description: 'Invalid credentials given.' },
    });
  });

  it('introspects for the provisioned client and the provisioned bearer token, and refuses a wrong secret with 403', async () => {
    const { access_token } = await pairFor('cat@example.com');
    const active = await introspect(access_token);
    expect(active.status).to.equal(200);
    expect(Object.keys(active.body!).sort()).to.deep.equal(['active', 'client_id', 'exp', 'scope', 'username']);
    expect(active.body).to.include({ active: true, client_id: 'rs-id', username: 'cat@example.com' });
    expect((await introspect(access_token, 'Bearer rs-introspection-token')).body).to.include({ active: true });
    const own = await introspect('rs-introspection-token');
    expect(own.body).to.include({ active: true, scope: 'introspection' }).and.not.to.have.property('username');
    const wrongSecret = `Basic ${Buffer.from('rs-id:wrong').toString('base64')}`;
    expect(await introspect(access_token, wrongSecret)).to.deep.equal({ status: 403, body: undefined });
  });

  it('rotates on refresh: a new pair, the old access token inactive, the old refresh token refused', async () => {
    const first = await pairFor('dan@example.com');
    const refresh = () => call('/o/token/', { auth: basic(), form: { grant_type: 'refresh_token', refresh_token: first.refresh_token } });
    const second = await refresh();
    expect(second.status).to.equal(200);
    expect(second.body!.refresh_token).to.be.a('string').and.not.equal(first.refresh_token);
    expect((await introspect(first.access_token)).body).to.deep.equal({ active: false });
    expect((await introspect(second.body!.access_token as string)).body).to.include({ active: true });
    expect(await refresh()).to.deep.equal({ status: 400, body: { error: 'invalid_grant' } });
  });

  it('revokes (RFC 7009): 200, then the token introspects inactive', async () => {
    const { access_token } = await pairFor('eve@example.com');
    expect(await call('/o/revoke_token/', { auth: basic(), form: { token: access_token } })).to.deep.equal({ status: 200, body: undefined });
    expect((await introspect(access_token)).body).to.deep.equal({ active: false });
  });

  it('changes a password with the bearer token; the old password stops working, the token does not', async () => {
    const { access_token } = await pairFor('fay@example.com');
    const change = (old_password: string) => call('/users/password/', {
      method: 'PUT', auth: `Bearer ${access_token}`, json: { old_password, password: 'a new long passphrase', password2: 'a new long passphrase' },
    });
    expect(await change('wrong')).to.deep.equal({ status: 400, body: { old_password: { old_password: 'Old password is incorrect' } } });
    expect(await change(PASSWORD)).to.deep.equal({ status: 200, body: {} });
    expect((await passwordGrant('fay@example.com')).status).to.equal(400);
    expect((await passwordGrant('fay@example.com', 'a new long passphrase')).status).to.equal(200);
    expect((await introspect(access_token)).body).to.include({ active: true });
  });

  it('logs traceparent in the access log, keeping the introspection line countable', async () => {
    peer.resetCounts();
    await introspect('no-such-token', basic(), { traceparent: TRACEPARENT });
    // gunicorn writes the line once the response is out, so the client may read the reply first.
    const line = new RegExp(`"POST /o/introspect/ HTTP/1\\.1" 200 .* traceparent=${TRACEPARENT}`);
    for (let waited = 0; !line.test(readFileSync(peer.accessLogFile!, 'utf8')) && waited < 2000; waited += 50) await sleep(50);
    expect(readFileSync(peer.accessLogFile!, 'utf8')).to.match(line);
    expect(peer.introspectionCalls()).to.equal(1);
  });

  it('provisions idempotently: a restart on the same state keeps one client, one introspection token and the accounts', async () => {
    await signUp('gus@example.com');
    await peer.restart();
    expect((await passwordGrant('gus@example.com')).status).to.equal(200);
    const count = (sql: string) => execFileSync('/usr/bin/python3', ['-c',
      'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])',
      join(peer.stateDir, 'dot-peer.sqlite3'), sql], { encoding: 'utf8' }).trim();
    expect(count('select count(*) from oauth2_provider_application')).to.equal('1');
    expect(count("select count(*) from oauth2_provider_accesstoken where token = 'rs-introspection-token'")).to.equal('1');
  });
});
