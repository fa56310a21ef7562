import type { PasswordCheckShare } from '../../domain/errors.js';

/** How the password check limiter's refusals are answered (paced) and told (counted, reported now and then). */

/**
 * A refusal beyond a share is answered when that share's check ends, or after at most this long:
 * without a thread or a place, but so that a client looping on refusals (32 connections, no rate
 * limit) loops at the pace of its own checks, not as fast as the request path can refuse. Refused
 * at once, such a flood took a core and made a bystander's sign-in 2.6–3.3× slower (see PasswordCheckLimiter).
 */
const MAX_REFUSAL_PACE_MS = 1_000;

export function paced(ends: Promise<void> | undefined): Promise<void> {
  if (!ends) return Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([ends, new Promise<void>((resolve) => { timer = setTimeout(resolve, MAX_REFUSAL_PACE_MS).unref(); })])
    .finally(() => clearTimeout(timer));
}

/** Refusals since the last report, by the share that was full; reported at most every 10 s. */
export type RefusalCounts = Record<PasswordCheckShare, number>;
const REPORT_EVERY_MS = 10_000;

/** Counts refusals and hands them to `report` at most every 10 s: a flood is a line now and then, not a line a refusal. */
export class RefusalReport {
  private counts: RefusalCounts = { account: 0, client: 0, server: 0 };
  private last = -Infinity;

  constructor(private readonly report: (refused: RefusalCounts) => void) {}

  count(share: PasswordCheckShare): void {
    this.counts[share]++;
    const now = performance.now();
    if (now - this.last >= REPORT_EVERY_MS) {
      this.last = now;
      this.report(this.counts);
      this.counts = { account: 0, client: 0, server: 0 };
    }
  }
}
