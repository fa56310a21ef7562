import type { UserId } from '../../src/domain/account.js';
import type { Claim, IdempotencyStore, RecordedResponse } from '../../src/ports/idempotency-store.js';

/** Keys in a map; no expiry (tests that need it use the real store). */
export class InMemoryIdempotencyStore implements IdempotencyStore {
  private readonly keys = new Map<string, { fingerprint: string; response?: RecordedResponse }>();

  async claim(ownerId: UserId, key: string, fingerprint: string): Promise<Claim> {
    const id = `${ownerId}\0${key}`;
    const entry = this.keys.get(id);
    if (!entry) {
      this.keys.set(id, { fingerprint });
      return { outcome: 'claimed' };
    }
    if (entry.fingerprint !== fingerprint) return { outcome: 'mismatch' };
    return entry.response ? { outcome: 'replay', response: structuredClone(entry.response) } : { outcome: 'in_progress' };
  }

  async complete(ownerId: UserId, key: string, response: RecordedResponse): Promise<void> {
    const entry = this.keys.get(`${ownerId}\0${key}`);
    if (entry) entry.response = structuredClone(response);
  }

  async release(ownerId: UserId, key: string): Promise<void> {
    const id = `${ownerId}\0${key}`;
    if (!this.keys.get(id)?.response) this.keys.delete(id);
  }
}
