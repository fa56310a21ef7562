import { expect } from 'chai';
import type { IdempotencyStore } from '../../src/ports/idempotency-store.js';

export interface IdempotencyHarness {
  store: IdempotencyStore;
  /** Two users that exist (the real store references users). */
  alice: number;
  bob: number;
}

const created = { status: 201, headers: { Location: '/items/7/', ETag: '"v1"' }, body: { id: 7, name: 'lamp' } };

export function idempotencyStoreContract(adapter: string, open: () => Promise<IdempotencyHarness>) {
  describe(`IdempotencyStore contract (${adapter})`, () => {
    let h: IdempotencyHarness;
    beforeEach(async () => { h = await open(); });

    it('claims a new key, then replays the completed response to the same request', async () => {
      expect(await h.store.claim(h.alice, 'k1', 'fp')).to.deep.equal({ outcome: 'claimed' });
      await h.store.complete(h.alice, 'k1', created);
      expect(await h.store.claim(h.alice, 'k1', 'fp')).to.deep.equal({ outcome: 'replay', response: created });
    });

    it('answers in_progress before completion and mismatch for another request', async () => {
      await h.store.claim(h.alice, 'k2', 'fp');
      expect(await h.store.claim(h.alice, 'k2', 'fp')).to.deep.equal({ outcome: 'in_progress' });
      expect(await h.store.claim(h.alice, 'k2', 'other')).to.deep.equal({ outcome: 'mismatch' });
    });

    it('lets exactly one of concurrent claims of one key through', async () => {
      const claims = await Promise.all(Array.from({ length: 10 }, () => h.store.claim(h.alice, 'k3', 'fp')));
      expect(claims.filter((c) => c.outcome === 'claimed')).to.have.length(1);
    });

    it('keeps each user\'s keys apart', async () => {
      await h.store.claim(h.alice, 'shared', 'fp');
      await h.store.complete(h.alice, 'shared', created);
      expect(await h.store.claim(h.bob, 'shared', 'fp')).to.deep.equal({ outcome: 'claimed' });
    });

    it('forgets a released key but not a completed one', async () => {
      await h.store.claim(h.alice, 'k4', 'fp');
      await h.store.release(h.alice, 'k4');
      expect(await h.store.claim(h.alice, 'k4', 'other')).to.deep.equal({ outcome: 'claimed' });
      await h.store.complete(h.alice, 'k4', created);
      await h.store.release(h.alice, 'k4');
      expect((await h.store.claim(h.alice, 'k4', 'fp')).outcome).to.equal('mismatch');
    });
  });
}
