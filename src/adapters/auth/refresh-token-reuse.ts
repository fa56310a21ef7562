import type { Kysely } from 'kysely';
import { InvalidGrant } from '../../domain/errors.js';
import { notifyRetirements } from '../db/postgres-retirement-channel.js';
import type { Database } from '../db/schema.js';

export interface AuthServerLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

export interface RefreshReuseSettings {
  /**
   * A rotated refresh token presented again within this long after its rotation is refused without
   * revoking anything: the loser of a race between one client's own requests (two tabs, a retry).
   */
  graceMs: number;
  now: () => Date;
  log: AuthServerLog;
}

const REFUSED = 'the refresh token is invalid, used or revoked';

/**
 * Called when a refresh token could not be spent: it is unknown, revoked, or was rotated away.
 * Rotated and back (RFC 9700 §4.14.2) means two parties hold it: past the grace, every pair of its
 * family is revoked — the pair that replaced it and any since, whoever holds them — and every
 * instance told at the commit. Always throws InvalidGrant, with the same words in every case.
 */
export async function refuseSpentRefreshToken(db: Kysely<Database>, refreshHash: string, settings: RefreshReuseSettings): Promise<never> {
  const pair = await db.selectFrom('embedded_auth_tokens').select(['account_id', 'family', 'refresh_used', 'revoked_at'])
    .where('refresh_hash', '=', refreshHash).executeTakeFirst();
  // A rotation sets refresh_used and revoked_at in one UPDATE: for a rotated pair, revoked_at is the moment of its rotation.
  if (!pair?.refresh_used || !pair.revoked_at) throw new InvalidGrant(REFUSED);
  const subject = String(pair.account_id);
  const msSinceRotation = settings.now().getTime() - pair.revoked_at.getTime();
  if (msSinceRotation <= settings.graceMs) {
    settings.log.info({ subject, msSinceRotation }, 'a refresh token was used again right after its rotation: refused, its family kept');
    throw new InvalidGrant(REFUSED);
  }
  const revokedPairs = await db.transaction().execute(async (trx) => {
    const revoked = await trx.updateTable('embedded_auth_tokens').set({ revoked_at: settings.now() })
      .where('family', '=', pair.family).where('revoked_at', 'is', null)
      .returning('access_hash').execute();
    await notifyRetirements(trx, revoked.map((r) => ({ tokenHash: r.access_hash })));
    return revoked.length;
  });
  settings.log.warn({ subject, msSinceRotation, revokedPairs }, 'a rotated refresh token was used again, so it leaked: every token of its family is revoked');
  throw new InvalidGrant(REFUSED);
}
