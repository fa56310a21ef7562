import { expect } from 'chai';
import { ApiClient } from '../support/api-client.js';
import { requireService } from '../support/availability.js';
import { dotPeerAvailable } from '../support/dot-peer.js';
import { startTestGatehouse, type GatehouseUnderTest, type Mode } from '../support/gatehouse.js';
import { postgresAvailable } from '../support/postgres.js';
import { makeStaff } from '../support/staff.js';
import { superuserRulesSuite } from './superusers-suite.js';

type User = Awaited<ReturnType<ApiClient['newUser']>>;
const ADMIN_OPERATIONS: [string, string, unknown?][] = [
  ['GET', '/admin/users/'], ['GET', '/admin/users/1/'], ['PATCH', '/admin/users/1/', { is_active: false }],
];
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));


const MODES: { title: string; mode: Mode }[] = [
  { title: 'embedded auth server', mode: { database: 'postgres', auth: 'embedded' } },
  { title: 'Django OAuth Toolkit', mode: { database: 'postgres', auth: 'dot' } },
];

for (const { title, mode } of MODES) {
  describe(`staff administration (${title}, two instances)`, function () {
    this.timeout(120_000);
    let a: GatehouseUnderTest;
    let b: GatehouseUnderTest;
    let api: ApiClient;
    let onB: ApiClient;
    let staff: User;
    let alice: User;

    before(async function () {
      requireService(this, await postgresAvailable(), 'PostgreSQL on 127.0.0.1:5432');
      if (mode.auth === 'dot') requireService(this, dotPeerAvailable(), 'the Django OAuth Toolkit peer');
      // A cache TTL far longer than the test: only the retirement channel can make B notice in time.
      a = await startTestGatehouse({ ...mode, env: { INTROSPECTION_CACHE_TTL: '300' } });
      b = await startTestGatehouse({ ...mode, env: { INTROSPECTION_CACHE_TTL: '300' }, join: { instance: a } });
      api = new ApiClient(a.url);
      onB = new ApiClient(b.url);
      staff = await api.newUser('staff');
      alice = await api.newUser('alice');
      await makeStaff(a.databaseUrl!, staff.id);
    });
    after(async () => { await b?.close(); await a?.close(); });

    it('refuses every admin operation to a non-staff user, whatever their scopes (403 not_staff)', async () => {
      for (const [method, path, json] of ADMIN_OPERATIONS) {
        const res = await api.request(method, path, { token: alice.token, ...(json ? { json } : {}) });
        expect(res.status, `${method} ${path}`).to.equal(403);
        expect(res.body.type).to.equal('/problems/not_staff');
      }
    });

    it('lists, searches, filters and pages users for staff', async () => {
      const tag = Math.random().toString(36).slice(2, 8);
      const made: User[] = [];
      for (const name of ['xa', 'xb', 'xc']) made.push(await api.newUser(`${name}-${tag}`));
      const page1 = await api.get(`/admin/users/?search=${tag.toUpperCase()}&limit=2`, { token: staff.token });
      expect(page1.status, page1.text).to.equal(200);
      expect(page1.body.results.map((u: { email: string }) => u.email.slice(0, 2))).to.deep.equal(['xa', 'xb']);
      expect(page1.body.results[0]).to.include({ is_staff: false, is_active: true });
      expect(page1.body.results[0].date_joined).to.match(/^\d{4}-\d\d-\d\dT/);
      const next = new URL(page1.body.next);
      const page2 = await api.get(`${next.pathname}${next.search}`, { token: staff.token });
      expect(page2.body.results.map((u: { email: string }) => u.email.slice(0, 2))).to.deep.equal(['xc']);
      expect(page2.body.next).to.equal(null);
      const staffOnly = await api.get('/admin/users/?is_staff=true&ordering=-id', { token: staff.token });
      expect(staffOnly.body.results.map((u: { id: number }) => u.id)).to.include(staff.id).and.not.include(alice.id);
      const one = await api.get(`/admin/users/${made[0]!.id}/`, { token: staff.token });
      expect(one.body).to.include({ id: made[0]!.id, email: made[0]!.email, is_staff: false, is_active: true });
      expect((await api.get('/admin/users/2147483647/', { token: staff.token })).status).to.equal(404);
      expect((await api.get('/admin/users/?is_staff=maybe', { token: staff.token })).status).to.equal(400);
    });

    it('lets staff change and delete another user\'s item (the owner stays the owner), If-Match still applying', async () => {
      const created = await api.post('/items/', { token: alice.token, json: { name: `alice ${title} ${Date.now()}`, description: 'hers', price: '3' } });
      const id = created.body.id as number;
      const stale = await api.patch(`/items/${id}/`, { token: staff.token, json: { description: 'x' }, headers: { 'If-Match': '"v9"' } });
      expect(stale.status).to.equal(412);
      const patched = await api.patch(`/items/${id}/`, { token: staff.token, json: { description: 'moderated' }, headers: { 'If-Match': created.headers.get('etag')! } });
      expect(patched.status, patched.text).to.equal(200);
      expect(patched.body.user.id).to.equal(alice.id);
      expect((await api.delete(`/items/${id}/`, { token: staff.token })).status).to.equal(204);
      const audit = a.logs.filter((l) => l.includes('"admin change"'));
      expect(audit.some((l) => l.includes('"action":"updateItem"') && l.includes(`"owner":${alice.id}`))).to.equal(true);
      expect(audit.some((l) => l.includes('"action":"deleteItem"'))).to.equal(true);
    });

    it('refuses a staff member removing their own staff flag or deactivating themselves (409)', async () => {
      for (const json of [{ is_staff: false }, { is_active: false }]) {
        const res = await api.patch(`/admin/users/${staff.id}/`, { token: staff.token, json });
        expect(res.status).to.equal(409);
        expect(res.body.type).to.equal('/problems/cannot_change_self');
      }
    });

    it('deactivates a user everywhere at once: refused on the other instance, no new tokens; activation restores sign-in', async () => {
      const bob = await api.newUser('bob');
      expect((await onB.get('/items/', { token: bob.token })).status).to.equal(200); // B has bob's token cached now
      const started = performance.now();
      const off = await api.patch(`/admin/users/${bob.id}/`, { token: staff.token, json: { is_active: false } });
      expect(off.status, off.text).to.equal(200);
      expect(off.body).to.include({ is_active: false });
      let refused = await onB.get('/items/', { token: bob.token });
      while (refused.status === 200 && performance.now() - started < 2_000) { await sleep(10); refused = await onB.get('/items/', { token: bob.token }); }
      const ms = performance.now() - started;
      console.log(`      deactivated on A, refused on B after ${ms.toFixed(0)} ms`);
      expect(refused.status).to.equal(401);
      expect(refused.body.detail).to.equal('the account is disabled');
      expect(ms).to.be.below(1_000);
      const signIn = await onB.post('/users/token/', { json: { email: bob.email, password: bob.password } });
      expect(signIn.status).to.equal(400);
      expect(signIn.body.error).to.equal('invalid_grant');
      const refresh = await onB.post('/users/token/refresh/', { json: { refresh: bob.refresh } });
      expect(refresh.status).to.equal(400);

      expect((await api.patch(`/admin/users/${bob.id}/`, { token: staff.token, json: { is_active: true } })).status).to.equal(200);
      const back = await onB.post('/users/token/', { json: { email: bob.email, password: bob.password } });
      expect(back.status, back.text).to.equal(200);
      expect((await onB.get('/items/', { token: back.body.access_token })).status).to.equal(200);
    });

    it('writes one audit line per admin change, with before and after, and no secret', async () => {
      const carol = await api.newUser('carol');
      await api.patch(`/admin/users/${carol.id}/`, { token: staff.token, json: { is_active: false } });
      const line = a.logs.map((l) => JSON.parse(l)).find((l) => l.msg === 'admin change' && l.audit?.action === 'changeUser' && l.audit.target === carol.id);
      expect(line?.audit).to.deep.equal({
        actor: staff.id, action: 'changeUser', target: carol.id,
        before: { is_staff: false, is_active: true, is_superuser: false }, after: { is_staff: false, is_active: false, is_superuser: false },
      });
      const all = [...a.logs, ...b.logs].join('\n');
      for (const secret of [...api.secrets, ...onB.secrets]) expect(all.includes(secret), 'a secret in the logs').to.equal(false);
    });

    superuserRulesSuite(() => ({ a, api, onB }));
  });
}
