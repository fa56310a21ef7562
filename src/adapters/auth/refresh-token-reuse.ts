import { InvalidGrant } from '../../domain/errors.js';
import type { EmbeddedAccounts } from '../../ports/embedded-accounts.js';

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
export async function refuseSpentRefreshToken(accounts: EmbeddedAccounts, refreshHash: string, settings: RefreshReuseSettings): Promise<never> {
  const pair = await accounts.refreshHistory(refreshHash);
  if (!pair?.refreshUsed || !pair.revokedAt) throw new InvalidGrant(REFUSED);
  const subject = String(pair.accountId);
  const msSinceRotation = settings.now().getTime() - pair.revokedAt.getTime();
  if (msSinceRotation <= settings.graceMs) {
    settings.log.info({ subject, msSinceRotation }, 'a refresh token was used again right after its rotation: refused, its family kept');
    throw new InvalidGrant(REFUSED);
  }
  const revokedPairs = await accounts.revokeFamily(pair.family, settings.now());
  settings.log.warn({ subject, msSinceRotation, revokedPairs }, 'a rotated refresh token was used again, so it leaked: every token of its family is revoked');
  throw new InvalidGrant(REFUSED);
}
