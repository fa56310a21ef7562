import type { UserId } from '../domain/account.js';

/** What the first request with a key produced, replayed as it was to every retry. */
export interface RecordedResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** The answer to a claim: go ahead, replay, or refuse. */
export type Claim =
  | { outcome: 'claimed' }
  | { outcome: 'replay'; response: RecordedResponse }
  /** Another request with this key has not finished yet. */
  | { outcome: 'in_progress' }
  /** The key was used for a different request. */
  | { outcome: 'mismatch' };

/**
 * Idempotency keys, scoped per user: one user's key never meets another's. Shared by every
 * instance, so a retry that lands elsewhere, or after a restart, is still recognised.
 * Every method may throw DatabaseUnavailable.
 */
export interface IdempotencyStore {
  /**
   * Claims `key` for a request whose content hashes to `fingerprint`. Atomic: of concurrent
   * claims of one key exactly one is `claimed`. A key older than its lifetime (24 h), or a claim
   * abandoned unfinished (its instance died), is forgotten first.
   */
  claim(ownerId: UserId, key: string, fingerprint: string): Promise<Claim>;

  /** Stores the response of a claimed key; retries get it from now on. */
  complete(ownerId: UserId, key: string, response: RecordedResponse): Promise<void>;

  /** Forgets a claimed key whose request failed, so a retry runs it again. */
  release(ownerId: UserId, key: string): Promise<void>;
}
