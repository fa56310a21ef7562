import { expect } from 'chai';
import type { UserRepository } from '../../src/ports/index.js';

export interface UserRepositoryHarness {
  users: UserRepository;
  close(): Promise<void>;
}

/** What every UserRepository must do; run against each adapter and the in-memory fake. */
export function userRepositoryContract(adapter: string, open: () => Promise<UserRepositoryHarness>): void {
  describe(`UserRepository contract (${adapter})`, () => {
    let h: UserRepositoryHarness;
    beforeEach(async () => { h = await open(); });
    afterEach(() => h.close());

    it('creates a user on first sight and returns the same one afterwards', async () => {
      const first = await h.users.mirror({ subject: 's-1', email: 'alice@example.com' });
      const again = await h.users.mirror({ subject: 's-1', email: 'alice@example.com' });
      expect(first).to.deep.equal({ id: first.id, email: 'alice@example.com', isStaff: false, isActive: true, isSuperuser: false });
      expect(again).to.deep.equal(first);
    });

    it('gives different subjects different users, even with the same email', async () => {
      const a = await h.users.mirror({ subject: 's-a', email: 'same@example.com' });
      const b = await h.users.mirror({ subject: 's-b', email: 'same@example.com' });
      expect(a.id).not.to.equal(b.id);
    });

    it('refreshes the email when the account changed it, keeping the id', async () => {
      const before = await h.users.mirror({ subject: 's-2', email: 'old@example.com' });
      const after = await h.users.mirror({ subject: 's-2', email: 'new@example.com' });
      expect(after).to.deep.equal({ id: before.id, email: 'new@example.com', isStaff: false, isActive: true, isSuperuser: false });
      expect(await h.users.mirror({ subject: 's-2', email: 'new@example.com' })).to.deep.equal(after);
    });

    it('creates one user when 20 first calls for one subject arrive at once', async () => {
      const users = await Promise.all(Array.from({ length: 20 }, () => h.users.mirror({ subject: 's-race', email: 'race@example.com' })));
      expect(new Set(users.map((u) => u.id)).size).to.equal(1);
    });

    it('returns a copy: changing it does not change what the repository remembers', async () => {
      const user = await h.users.mirror({ subject: 's-3', email: 'copy@example.com' });
      user.email = 'tampered@example.com';
      expect((await h.users.mirror({ subject: 's-3', email: 'copy@example.com' })).email).to.equal('copy@example.com');
    });

    it('sets is_superuser; a check sees the target as it is and the other active superusers, and what it throws cancels the change', async () => {
      const tag = Math.random().toString(36).slice(2, 8); // the Kysely harnesses share one database
      const root = await h.users.mirror({ subject: `s-root-${tag}`, email: `root-${tag}@example.com` });
      const target = await h.users.mirror({ subject: `s-target-${tag}`, email: `target-${tag}@example.com` });
      expect(root.isSuperuser).to.equal(false);
      await h.users.setFlags(root.id, { isSuperuser: true, isStaff: true });
      expect(await h.users.findBySubject(`s-root-${tag}`)).to.include({ isSuperuser: true, isStaff: true });
      const listed = (isSuperuser: boolean) => h.users.list({ limit: 10, ordering: 'id', search: tag, isSuperuser }).then((p) => p.users.map((u) => u.id));
      expect(await listed(true)).to.deep.equal([root.id]);
      expect(await listed(false)).to.deep.equal([target.id]);
      const seen: [number, boolean, number][] = [];
      await h.users.setFlags(target.id, { isSuperuser: true }, (t, others) => { seen.push([t.id, t.isSuperuser, others]); });
      expect(seen[0]![0]).to.equal(target.id);
      expect(seen[0]![1]).to.equal(false);
      const othersBefore = seen[0]![2];
      expect(othersBefore).to.be.at.least(1); // root at least, whatever other tests left
      const refused = await h.users.setFlags(root.id, { isActive: false }, (_t, others) => {
        expect(others).to.equal(othersBefore - 1); // root is not counted for itself; the target, not staff, is no active superuser
        throw new Error('refused');
      }).then(() => undefined, (err: Error) => err);
      expect(refused?.message).to.equal('refused');
      expect(await h.users.findBySubject(`s-root-${tag}`)).to.include({ isActive: true });
      await h.users.setFlags(target.id, { isSuperuser: false });
      await h.users.setFlags(root.id, { isSuperuser: false });
    });

    it('keeps Gatehouse\'s flags: active and not staff on first sight, set by setFlags with the before and after', async () => {
      const user = await h.users.mirror({ subject: 's-flags', email: 'flags@example.com' });
      const changed = await h.users.setFlags(user.id, { isStaff: true, isActive: false });
      expect(changed?.before).to.include({ isStaff: false, isActive: true });
      expect(changed?.after).to.include({ isStaff: true, isActive: false });
      expect(changed?.subject).to.equal('s-flags');
      expect(await h.users.mirror({ subject: 's-flags', email: 'flags@example.com' })).to.include({ isStaff: true, isActive: false });
      expect(await h.users.findByEmail('flags@example.com')).to.include({ id: user.id, isActive: false, subject: 's-flags' });
      expect(await h.users.findBySubject('s-flags')).to.include({ id: user.id, isStaff: true });
      expect(await h.users.setFlags(999_999, { isStaff: true })).to.equal(undefined);
      const record = await h.users.get(user.id);
      expect(record?.dateJoined).to.be.instanceOf(Date);
    });

    it('lists users for staff: search by email substring in any case, filters, both orderings, pages both ways', async () => {
      for (const [i, name] of ['ann', 'bob', 'cat', 'dan', 'eve'].entries()) {
        const u = await h.users.mirror({ subject: `s-list-${name}`, email: `${name}@list.example.com` });
        if (i % 2 === 0) await h.users.setFlags(u.id, { isStaff: true });
      }
      const emails = (p: { users: { email: string }[] }) => p.users.map((u) => u.email.split('@')[0]);
      const first = await h.users.list({ limit: 2, ordering: 'email', search: 'LIST.example' });
      expect(emails(first)).to.deep.equal(['ann', 'bob']);
      const second = await h.users.list({ limit: 2, ordering: 'email', search: 'list.example', from: first.next! });
      expect(emails(second)).to.deep.equal(['cat', 'dan']);
      const back = await h.users.list({ limit: 2, ordering: 'email', search: 'list.example', from: second.previous! });
      expect(emails(back)).to.deep.equal(['ann', 'bob']);
      expect(emails(await h.users.list({ limit: 10, ordering: '-email', search: 'list.example', isStaff: true }))).to.deep.equal(['eve', 'cat', 'ann']);
      expect(emails(await h.users.list({ limit: 10, ordering: '-id', search: 'list.example', isStaff: false }))).to.deep.equal(['dan', 'bob']);
      expect((await h.users.list({ limit: 10, ordering: 'id', search: '%' })).users).to.deep.equal([]); // % is literal
    });
  });
}
