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
      expect(first).to.deep.equal({ id: first.id, email: 'alice@example.com' });
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
      expect(after).to.deep.equal({ id: before.id, email: 'new@example.com' });
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
  });
}
