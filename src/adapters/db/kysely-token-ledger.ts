import { sql, type Kysely } from 'kysely';
import type { HashedPair, TokenLedger } from '../../ports/token-ledger.js';
import { guarded } from './db-errors.js';
import { notifyRetirements } from './postgres-retirement-channel.js';
import { ReusableStatement } from './reusable-statement.js';
import type { Database } from './schema.js';

export interface TokenLedgerRetention {
  /**
   * How long a pair handed out through Gatehouse is remembered (default 30 days; its access
   * token's lifetime if longer): a refresh token of a retired pair is refused that long. DOT's
   * refresh tokens do not expire by default, so this is a bound of ours, not theirs.
   */
  pairSeconds: number;
  /** At most one sweep of expired rows per this many seconds per instance. */
  sweepEverySeconds: number;
}

export const TOKEN_LEDGER_DEFAULTS: TokenLedgerRetention = { pairSeconds: 30 * 86_400, sweepEverySeconds: 600 };

/** The ledger in `seen_tokens`: one row per access token, found by its hash (the primary key) or its refresh token's. */
export class KyselyTokenLedger implements TokenLedger {
  private lastSweep = 0;
  // Every password grant through Gatehouse writes its pair: compiled once (see reusable-statement.ts).
  private readonly issuedStatement: ReusableStatement<unknown>;

  constructor(private readonly db: Kysely<Database>, private readonly retention: TokenLedgerRetention = TOKEN_LEDGER_DEFAULTS) {
    this.issuedStatement = new ReusableStatement(issuedQuery(db, { tokenHash: '', refreshHash: '', keepSeconds: 0 }, ''));
  }

  find(tokenHash: string): Promise<{ subject: string | null; retired: boolean } | undefined> {
    return guarded(async () => {
      const row = await this.db.selectFrom('seen_tokens').select(['subject', 'retired_at'])
        .where('token_hash', '=', tokenHash).executeTakeFirst();
      return row && { subject: row.subject, retired: row.retired_at !== null };
    });
  }

  refreshRetired(refreshHash: string): Promise<boolean> {
    return guarded(async () => {
      const row = await this.db.selectFrom('seen_tokens').select('retired_at')
        .where('refresh_hash', '=', refreshHash).executeTakeFirst();
      return row?.retired_at != null;
    });
  }

  introspected(tokenHash: string, subject: string, exp: Date): Promise<void> {
    this.sweepNowAndThen();
    return guarded(async () => {
      await this.db.insertInto('seen_tokens').values({ token_hash: tokenHash, subject, keep_until: exp })
        .onConflict((oc) => oc.column('token_hash').doUpdateSet({ subject }))
        .execute();
    });
  }

  issued(pair: HashedPair, subject?: string): Promise<void> {
    this.sweepNowAndThen();
    return guarded(async () => {
      await this.db.executeQuery(this.issuedStatement.with([pair.tokenHash, pair.refreshHash, this.keepSeconds(pair), subject ?? null]));
    });
  }

  refreshed(refreshHash: string, pair: HashedPair): Promise<void> {
    return guarded(() => this.db.transaction().execute(async (trx) => {
      const old = await trx.deleteFrom('seen_tokens').where('refresh_hash', '=', refreshHash)
        .returning(['token_hash', 'subject', 'retired_at']).executeTakeFirst();
      await trx.insertInto('seen_tokens').values({ ...this.row(pair), subject: old?.subject ?? null, retired_at: old?.retired_at ?? null })
        .onConflict((oc) => oc.doNothing()).execute();
      if (old) await notifyRetirements(trx, [{ tokenHash: old.token_hash }]);
    }));
  }

  retire(hash: string): Promise<string | undefined> {
    return guarded(async () => {
      const row = await this.db.updateTable('seen_tokens').set({ retired_at: sql<Date>`coalesce(retired_at, now())` })
        .where((eb) => eb.or([eb('token_hash', '=', hash), eb('refresh_hash', '=', hash)]))
        .returning('token_hash').executeTakeFirst();
      return row?.token_hash;
    });
  }

  retireSubject(subject: string): Promise<void> {
    return guarded(() => this.db.transaction().execute(async (trx) => {
      await trx.updateTable('seen_tokens').set({ retired_at: sql<Date>`now()` })
        .where('subject', '=', subject).where('retired_at', 'is', null).execute();
      await notifyRetirements(trx, [{ subject }]);
    }));
  }

  private row(pair: HashedPair) {
    return pairRow({ tokenHash: pair.tokenHash, refreshHash: pair.refreshHash, keepSeconds: this.keepSeconds(pair) });
  }

  private keepSeconds(pair: HashedPair): number {
    return Math.max(pair.expiresIn, this.retention.pairSeconds);
  }

  /** Fire and forget: a failed sweep only leaves expired rows for the next one. */
  private sweepNowAndThen(): void {
    const now = Date.now();
    if (now - this.lastSweep < this.retention.sweepEverySeconds * 1000) return;
    this.lastSweep = now;
    this.db.deleteFrom('seen_tokens').where('keep_until', '<', sql<Date>`now()`).execute().catch(() => undefined);
  }
}

interface PairRow { tokenHash: string; refreshHash: string; keepSeconds: number }

function pairRow({ tokenHash, refreshHash, keepSeconds }: PairRow) {
  return { token_hash: tokenHash, refresh_hash: refreshHash, keep_until: sql<Date>`now() + make_interval(secs => ${keepSeconds})` };
}

/** The INSERT of a pair just issued, unless already there; its parameters are the two hashes, the seconds to keep it, the subject. */
export function issuedQuery(db: Kysely<Database>, pair: PairRow, subject: string | null) {
  return db.insertInto('seen_tokens').values({ ...pairRow(pair), subject }).onConflict((oc) => oc.doNothing());
}
