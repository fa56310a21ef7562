import type { ProofReplayStore } from '../../src/ports/proof-replay-store.js';

/** jtis in a Map: one instance's memory, for tests of one app (the real store is shared, see KyselyProofReplayStore). */
export class InMemoryProofReplayStore implements ProofReplayStore {
  private readonly seen = new Map<string, number>();

  async firstUse(key: string, expiresAt: Date): Promise<boolean> {
    const until = this.seen.get(key);
    if (until !== undefined && until > Date.now()) return false;
    this.seen.set(key, expiresAt.getTime());
    return true;
  }
}
