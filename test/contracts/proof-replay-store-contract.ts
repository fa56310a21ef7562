import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { ProofReplayStore } from '../../src/ports/proof-replay-store.js';

export interface ProofReplayHarness {
  /** Two instances sharing one store (a fake, one process's memory, gives the same store twice). */
  stores: [ProofReplayStore, ProofReplayStore];
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));
const inSeconds = (s: number) => new Date(Date.now() + s * 1000);
/** Redis outlives the test run: every key is new. */
const newKey = () => `contract-${randomUUID()}`;

export function proofReplayStoreContract(adapter: string, open: () => Promise<ProofReplayHarness>) {
  describe(`ProofReplayStore contract (${adapter})`, function () {
    this.timeout(10_000);
    let h: ProofReplayHarness;
    beforeEach(async () => { h = await open(); });
    afterEach(() => h.close());

    it('answers true to the first use of a key and false to every later one, on either instance', async () => {
      const [a, b] = h.stores;
      const key = newKey();
      expect(await a.firstUse(key, inSeconds(60))).to.equal(true);
      expect(await a.firstUse(key, inSeconds(60))).to.equal(false);
      expect(await b.firstUse(key, inSeconds(60))).to.equal(false);
    });

    it('keeps keys apart', async () => {
      const [a, b] = h.stores;
      const first = newKey();
      expect(await a.firstUse(first, inSeconds(60))).to.equal(true);
      expect(await b.firstUse(newKey(), inSeconds(60))).to.equal(true);
      expect(await a.firstUse(`${first}x`, inSeconds(60))).to.equal(true);
    });

    it('lets exactly one of 40 concurrent first uses of a key through, whichever instance they reach', async () => {
      const key = newKey();
      const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => h.stores[i % 2]!.firstUse(key, inSeconds(60))));
      expect(answers.filter(Boolean)).to.have.length(1);
    });

    it('refuses a replay until the expiry given with the first use, and takes the key as new once after it', async () => {
      const [a, b] = h.stores;
      const key = newKey();
      const expiresAt = new Date(Date.now() + 800);
      expect(await a.firstUse(key, expiresAt)).to.equal(true);
      expect(await b.firstUse(key, inSeconds(60))).to.equal(false); // a later expiry does not start it again
      await sleep(expiresAt.getTime() - Date.now() + 100);
      // Taken as new by exactly one of concurrent uses, and remembered in turn.
      const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => h.stores[i % 2]!.firstUse(key, inSeconds(60))));
      expect(answers.filter(Boolean)).to.have.length(1);
      expect(await a.firstUse(key, inSeconds(60))).to.equal(false);
    });
  });
}
