import { sql, type Kysely } from 'kysely';
import type { UserId } from '../../domain/account.js';
import type { Claim, IdempotencyStore, RecordedResponse } from '../../ports/idempotency-store.js';
import { guarded } from './db-errors.js';
import type { Database } from './schema.js';

export interface IdempotencySettings {
  /** How long a key is remembered (24 h): long enough for any sane retry schedule. */
  ttlSeconds: number;
  /**
   * How long an unfinished claim holds its key. Longer than any request can run (the server's
   * request timeout is 30 s), so only a claim whose instance died mid-request is ever taken over.
   */
  abandonedAfterSeconds: number;
  /** At most one sweep of every user's expired keys per this many seconds per instance. */
  sweepEverySeconds: number;
}

export const IDEMPOTENCY_DEFAULTS: IdempotencySettings = { ttlSeconds: 86_400, abandonedAfterSeconds: 120, sweepEverySeconds: 600 };

/**
 * Keys in PostgreSQL, so every instance and every restart sees the same ones. The primary key
 * (owner_id, key) makes the claim atomic: `insert … on conflict do nothing` lets exactly one of
 * concurrent claims through. Expired keys are deleted lazily: the claimed one on every claim, all
 * of them now and then.
 */
export class KyselyIdempotencyStore implements IdempotencyStore {
  private lastSweep = 0;

  constructor(private readonly db: Kysely<Database>, private readonly settings: IdempotencySettings = IDEMPOTENCY_DEFAULTS) {}

  async claim(ownerId: UserId, key: string, fingerprint: string): Promise<Claim> {
    this.sweepNowAndThen();
    const { ttlSeconds, abandonedAfterSeconds } = this.settings;
    return guarded(async () => {
      await this.db.deleteFrom('idempotency_keys')
        .where('owner_id', '=', ownerId).where('key', '=', key)
        .where((eb) => eb.or([
          eb('created_at', '<', sql<Date>`now() - make_interval(secs => ${ttlSeconds})`),
          eb.and([eb('status', 'is', null), eb('created_at', '<', sql<Date>`now() - make_interval(secs => ${abandonedAfterSeconds})`)]),
        ]))
        .execute();
      const inserted = await this.db.insertInto('idempotency_keys')
        .values({ owner_id: ownerId, key, request_hash: fingerprint, status: null, headers: null, response_body: null })
        .onConflict((oc) => oc.columns(['owner_id', 'key']).doNothing())
        .returning('key')
        .executeTakeFirst();
      if (inserted) return { outcome: 'claimed' };
      const row = await this.db.selectFrom('idempotency_keys')
        .select(['request_hash', 'status', 'headers', 'response_body'])
        .where('owner_id', '=', ownerId).where('key', '=', key)
        .executeTakeFirst();
      if (!row) return this.claim(ownerId, key, fingerprint); // released between our insert and select: try again
      if (row.request_hash !== fingerprint) return { outcome: 'mismatch' };
      if (row.status === null) return { outcome: 'in_progress' };
      return { outcome: 'replay', response: { status: row.status, headers: row.headers ?? {}, body: row.response_body } };
    });
  }

  async complete(ownerId: UserId, key: string, response: RecordedResponse): Promise<void> {
    await guarded(() => this.db.updateTable('idempotency_keys')
      .set({ status: response.status, headers: JSON.stringify(response.headers), response_body: JSON.stringify(response.body) })
      .where('owner_id', '=', ownerId).where('key', '=', key)
      .execute());
  }

  async release(ownerId: UserId, key: string): Promise<void> {
    await guarded(() => this.db.deleteFrom('idempotency_keys')
      .where('owner_id', '=', ownerId).where('key', '=', key).where('status', 'is', null)
      .execute());
  }

  /** Fire and forget: a failed sweep only leaves expired rows for the next one. */
  private sweepNowAndThen(): void {
    const now = Date.now();
    if (now - this.lastSweep < this.settings.sweepEverySeconds * 1000) return;
    this.lastSweep = now;
    this.db.deleteFrom('idempotency_keys')
      .where('created_at', '<', sql<Date>`now() - make_interval(secs => ${this.settings.ttlSeconds})`)
      .execute()
      .catch(() => undefined);
  }
}
