import { expect } from 'chai';
import type { ApiClient } from '../support/api-client.js';
import type { GatehouseUnderTest } from '../support/gatehouse.js';
import { activeSuperusers, makeStaff, makeSuperuser, setFlagsOutOfBand } from '../support/staff.js';

type User = Awaited<ReturnType<ApiClient['newUser']>>;
export interface SuperuserWorld { a: GatehouseUnderTest; api: ApiClient; onB: ApiClient }

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Asks until the token gets `status` from the admin list: the instance has heard of an out-of-band change. */
async function until(api: ApiClient, token: string, status: number): Promise<void> {
  const started = performance.now();
  while ((await api.get('/admin/users/?limit=1', { token })).status !== status) {
    if (performance.now() - started > 2_000) throw new Error(`the admin list never answered ${status}`);
    await sleep(10);
  }
}

/** Superusers as in Django's admin, on two instances sharing one database. */
export function superuserRulesSuite(world: () => SuperuserWorld): void {
  describe('superusers', () => {
    let w: SuperuserWorld;
    let url: string;
    let root: User;
    let root2: User;
    let staff: User;
    let staff2: User;
    let alice: User;
    const patch = (by: User, target: User, json: unknown, api = w.api) => api.patch(`/admin/users/${target.id}/`, { token: by.token, json });

    before(async () => {
      w = world();
      url = w.a.databaseUrl!;
      [root, root2, staff, staff2, alice] = await Promise.all(['root', 'root2', 'staff', 'staff2', 'alice'].map((n) => w.api.newUser(`su-${n}`))) as [User, User, User, User, User];
      for (const u of [root, root2]) await makeSuperuser(url, u.id);
      for (const u of [staff, staff2]) await makeStaff(url, u.id);
      for (const u of [root, root2, staff, staff2]) { await until(w.api, u.token, 200); await until(w.onB, u.token, 200); }
    });

    it('shows is_superuser; it is read-only: a PATCH that sets it is a 400 naming the field, by anyone', async () => {
      const shown = await w.api.get(`/admin/users/${root.id}/`, { token: staff.token });
      expect(shown.body).to.include({ is_staff: true, is_superuser: true });
      expect((await w.api.get(`/admin/users/${alice.id}/`, { token: staff.token })).body).to.include({ is_superuser: false });
      const listed = await w.api.get('/admin/users/?is_superuser=true&search=su-root&limit=100', { token: staff.token });
      expect(listed.body.results.map((u: { id: number }) => u.id)).to.include.members([root.id, root2.id]).and.not.include(staff.id);
      for (const by of [root, staff]) {
        const res = await patch(by, alice, { is_superuser: true });
        expect(res.status, res.text).to.equal(400);
        expect(res.body.errors).to.deep.equal([{ pointer: '/is_superuser', message: 'is read-only' }]);
      }
      expect(await activeSuperusers(url)).not.to.include(alice.id);
    });

    it('lets staff deactivate and activate an ordinary user, but not grant staff (403 not_superuser)', async () => {
      expect((await patch(staff, alice, { is_active: false })).status).to.equal(200);
      expect((await patch(staff, alice, { is_active: true })).status).to.equal(200);
      for (const json of [{ is_staff: true }, { is_staff: true, is_active: true }]) {
        const res = await patch(staff, alice, json);
        expect(res.status, res.text).to.equal(403);
        expect(res.body.type).to.equal('/problems/not_superuser');
      }
      expect((await w.api.get(`/admin/users/${alice.id}/`, { token: staff.token })).body).to.include({ is_staff: false, is_active: true });
    });

    it('refuses staff changing any flag of another staff member or of a superuser (403 not_superuser), on either instance', async () => {
      for (const [target, json] of [[staff2, { is_active: false }], [staff2, { is_staff: false }], [root, { is_active: false }], [root, { is_staff: false }]] as const) {
        for (const api of [w.api, w.onB]) {
          const res = await patch(staff, target, json, api);
          expect(res.status, `${target.email} ${JSON.stringify(json)}: ${res.text}`).to.equal(403);
          expect(res.body.type).to.equal('/problems/not_superuser');
        }
      }
      expect(await activeSuperusers(url)).to.include.members([root.id, root2.id]);
    });

    it('lets a superuser grant and remove staff, and deactivate, activate and demote staff and another superuser', async () => {
      const carol = await w.api.newUser('su-carol');
      expect((await patch(root, carol, { is_staff: true })).body).to.include({ is_staff: true });
      expect((await patch(root, carol, { is_active: false })).body).to.include({ is_active: false });
      expect((await patch(root, carol, { is_staff: false, is_active: true })).body).to.include({ is_staff: false, is_active: true });
      const demoted = await patch(root, root2, { is_staff: false });
      expect(demoted.status, demoted.text).to.equal(200);
      expect(demoted.body).to.include({ is_staff: false, is_superuser: true }); // still a superuser, administering nothing until staff again
      expect((await patch(root, root2, { is_staff: true })).status).to.equal(200);
      const line = w.a.logs.map((l) => JSON.parse(l)).find((l) => l.msg === 'admin change' && l.audit?.target === root2.id);
      expect(line?.audit.before).to.deep.equal({ is_staff: true, is_active: true, is_superuser: true });
      expect(line?.audit.after).to.deep.equal({ is_staff: false, is_active: true, is_superuser: true });
    });

    it('keeps the last active superuser (409 last_superuser), even against a superuser whose own flags changed behind the server\'s back', async () => {
      await until(w.api, root2.token, 200); // the instance remembers root2 as an active superuser from here on
      const others = (await activeSuperusers(url)).filter((id) => id !== root.id);
      for (const id of others) await setFlagsOutOfBand(url, id, { is_superuser: false }, { quietly: true });
      for (const json of [{ is_staff: false }, { is_active: false }, { is_active: false, is_staff: false }]) {
        const res = await patch(root2, root, json);
        expect(res.status, res.text).to.equal(409);
        expect(res.body.type).to.equal('/problems/last_superuser');
        expect(res.headers.get('content-type')).to.match(/^application\/problem\+json/);
      }
      expect(await activeSuperusers(url)).to.deep.equal([root.id]);
      const self = await patch(root, root, { is_staff: false });
      expect(self.body.type).to.equal('/problems/cannot_change_self');
      for (const id of others) await setFlagsOutOfBand(url, id, { is_superuser: true });
    });

    it('never leaves zero superusers when two superusers demote each other at once, one on each instance (20 rounds)', async () => {
      // Only x and y are active superusers during the rounds: each round, both ask at once to demote the other.
      for (const id of await activeSuperusers(url)) await setFlagsOutOfBand(url, id, { is_superuser: false });
      const [x, y] = await Promise.all([w.api.newUser('su-x'), w.api.newUser('su-y')]);
      const outcomes: string[] = [];
      for (let round = 0; round < 20; round++) {
        for (const u of [x!, y!]) {
          await setFlagsOutOfBand(url, u.id, { is_staff: true, is_active: true, is_superuser: true });
          await until(w.api, u.token, 200);
          await until(w.onB, u.token, 200);
        }
        const json = { is_staff: false };
        const [byX, byY] = await Promise.all([patch(x!, y!, json, w.api), patch(y!, x!, json, w.onB)]);
        outcomes.push([byX.status, byY.status].sort().join('/'));
        const left = await activeSuperusers(url);
        expect(left, `round ${round}: ${byX.status} ${byX.text} / ${byY.status} ${byY.text}`).to.have.length(1);
        expect([byX.status, byY.status].filter((s) => s === 200)).to.have.length(1);
        for (const res of [byX, byY].filter((r) => r.status !== 200)) expect(res.body.type).to.be.oneOf(['/problems/last_superuser', '/problems/not_staff']);
      }
      const counts = outcomes.reduce<Record<string, number>>((n, o) => ({ ...n, [o]: (n[o] ?? 0) + 1 }), {});
      console.log(`      20 rounds of two superusers demoting each other: ${JSON.stringify(counts)}`);
      for (const u of [root, root2]) await makeSuperuser(url, u.id);
    });
  });
}
