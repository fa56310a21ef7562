import { expect } from 'chai';
import type { Caller, Member } from '../../src/domain/account.js';
import { LastSuperuser, NotFound, NotStaff, NotSuperuser } from '../../src/domain/errors.js';
import { changeUser } from '../../src/use-cases/change-user.js';
import { InMemoryRetirementChannel } from '../fakes/in-memory-retirement-channel.js';
import { InMemoryUserRepository } from '../fakes/in-memory-user-repository.js';
import { rejectionOf } from '../support/rejection.js';

/** The rules of changeUser on fakes; the HTTP suite runs them again on PostgreSQL, with racing requests. */
describe('changeUser: superusers as in Django\'s admin', () => {
  let users: InMemoryUserRepository;
  let deps: { users: InMemoryUserRepository; retirements: InMemoryRetirementChannel };
  const callerOf = (user: Member): Caller => ({ user, subject: `s-${user.id}`, scopes: new Set(['read', 'write']), token: 't' });
  const someone = async (name: string, flags: Partial<Member> = {}) => {
    const user = await users.mirror({ subject: `s-${name}`, email: `${name}@example.com` });
    if (Object.keys(flags).length) await users.setFlags(user.id, flags);
    return { ...user, ...flags };
  };

  beforeEach(() => {
    users = new InMemoryUserRepository();
    deps = { users, retirements: new InMemoryRetirementChannel() };
  });

  it('lets staff deactivate and activate an ordinary user, and nothing else', async () => {
    const staff = await someone('staff', { isStaff: true });
    const other = await someone('other', { isStaff: true });
    const root = await someone('root', { isStaff: true, isSuperuser: true });
    const alice = await someone('alice');
    expect((await changeUser(deps, callerOf(staff), alice.id, { isActive: false })).after.isActive).to.equal(false);
    expect((await changeUser(deps, callerOf(staff), alice.id, { isActive: true })).after.isActive).to.equal(true);
    for (const [id, change] of [[alice.id, { isStaff: true }], [other.id, { isActive: false }], [root.id, { isActive: false }], [root.id, { isStaff: false }]] as const) {
      expect(await rejectionOf(changeUser(deps, callerOf(staff), id, change))).to.be.instanceOf(NotSuperuser);
    }
    expect(await rejectionOf(changeUser(deps, callerOf(alice), staff.id, { isActive: false }))).to.be.instanceOf(NotStaff);
    expect(await rejectionOf(changeUser(deps, callerOf(root), 999, { isActive: false }))).to.be.instanceOf(NotFound);
  });

  it('lets a superuser change staff and another superuser while an active superuser is left', async () => {
    const root = await someone('root', { isStaff: true, isSuperuser: true });
    const root2 = await someone('root2', { isStaff: true, isSuperuser: true });
    expect((await changeUser(deps, callerOf(root), root2.id, { isStaff: false })).after).to.include({ isStaff: false, isSuperuser: true });
  });

  it('refuses to demote or deactivate the last active superuser, whoever asks (LastSuperuser)', async () => {
    const root = await someone('root', { isStaff: true, isSuperuser: true });
    // A caller still taken for a superuser, though it no longer is one: as when two demote each other at once.
    const stale = await someone('stale', { isStaff: true, isSuperuser: true });
    await users.setFlags(stale.id, { isSuperuser: false });
    await someone('inactive', { isStaff: true, isSuperuser: true, isActive: false }); // not counted: cannot act
    await someone('unstaffed', { isSuperuser: true }); // not counted: administers nothing
    for (const change of [{ isStaff: false }, { isActive: false }]) {
      const err = await rejectionOf(changeUser(deps, callerOf(stale), root.id, change));
      expect(err).to.be.instanceOf(LastSuperuser);
      expect(err.message).to.match(/user \d+ is the last active superuser/);
    }
    expect((await users.get(root.id))).to.include({ isStaff: true, isActive: true });
    expect((await changeUser(deps, callerOf(stale), root.id, { isActive: true })).after.isActive).to.equal(true); // no loss: allowed
  });
});
