import { sql, type Kysely } from 'kysely';
import type { ProofReplayStore } from '../../ports/proof-replay-store.js';
import { guarded } from './db-errors.js';
import type { Database } from './schema.js';

/**
 * DPoP jtis in PostgreSQL: the primary key makes the first use atomic across instances (`insert …
 * on conflict` returns a row to exactly one of them). Rows are only needed for the iat
 * window; expired ones are swept now and then, not on every proof.
 */
export class KyselyProofReplayStore implements ProofReplayStore {
  private lastSweep = 0;

  constructor(private readonly db: Kysely<Database>, private readonly sweepEveryMs = 60_000) {}

  firstUse(key: string, expiresAt: Date): Promise<boolean> {
    this.sweepNowAndThen();
    return guarded(async () => {
      // A row past its expiry is a key no longer remembered (as Redis forgets it), swept or not yet:
      // taken over in the same statement, so a concurrent use of it still sees one winner.
      const inserted = await this.db.insertInto('dpop_proof_jtis').values({ key, expires_at: expiresAt })
        .onConflict((oc) => oc.column('key').doUpdateSet({ expires_at: expiresAt }).where('dpop_proof_jtis.expires_at', '<=', sql<Date>`now()`))
        .returning('key').executeTakeFirst();
      return inserted !== undefined;
    });
  }

  private sweepNowAndThen(): void {
    if (Date.now() - this.lastSweep < this.sweepEveryMs) return;
    this.lastSweep = Date.now();
    this.db.deleteFrom('dpop_proof_jtis').where('expires_at', '<', new Date()).execute().catch(() => undefined); // the next sweep retries
  }
}
