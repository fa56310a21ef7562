import { trace } from '@opentelemetry/api';
import { PasswordCheckBusy, type PasswordCheckShare } from '../../domain/errors.js';
import { paced, RefusalReport, type RefusalCounts } from './password-check-refusals.js';

const tracer = trace.getTracer('gatehouse');

export interface PasswordCheckLimits {
  /** Hashes running at once. */
  concurrency: number;
  /** Hashes waiting for a turn; one more is refused. */
  queue: number;
}

/**
 * 2 at once: one per core on the 2-core target and half of libuv's 4 threads, so file writes and
 * DNS never wait behind scrypt. 4 waiting: at most two hash-times of wait (≈ 1 s at N=2^17).
 */
export const DEFAULT_PASSWORD_CHECK_LIMITS: PasswordCheckLimits = { concurrency: 2, queue: 4 };

/** Whose check it is: the account (the normalised email) and, when known, the client address it came from. */
export interface PasswordCheckParty {
  account: string;
  client?: string | undefined;
}

export type { RefusalCounts } from './password-check-refusals.js';

/**
 * One account's or one client address's share: the check that holds it (queued, running, or held
 * after a failure; `ends` resolves when it lets go, never rejects) and whether another waits for it.
 */
interface Share {
  ends?: Promise<void>;
  waited: boolean;
}

/**
 * Bounds the password hashes in flight, fairly: at most `concurrency` run and `queue` more wait,
 * and each account and each client address holds at most one of those places, with at most one more
 * check waiting outside the queue for its turn. Anything beyond a share is refused without touching
 * the queue (the answer paced to that share's own check, at most 1 s, see MAX_REFUSAL_PACE_MS): one client (or one account's guessers) can take one place, never everyone's,
 * so five flooding addresses leave a sixth place for a client that behaves. Refused means
 * PasswordCheckBusy (503 + Retry-After), never an unbounded queue. After a failed check (a wrong
 * password) the account's and the client's turns stay taken for as long again, with no thread busy:
 * a guesser gets at most half a core.
 *
 * Why, measured with `npm run bench:password` (N=2^17, 2 shared cores, 32 connections looping
 * wrong-old-password changes with one token; a bystander's sign-in p50 against idle): no limit,
 * 29× (12.4 s: scrypt queued in libuv's pool). One hash per account, others refused at once: 2.6×,
 * the refusals looping 370 times a second through the whole request path. Waiting for the
 * account's turn instead: 1.9–3.7×, the hammered account's back-to-back hashes taking a core.
 * With the hold after a failure as well: 1.04–1.09×. A shared queue alone let six loops of
 * wrong sign-ins for random emails from one address refuse everyone else's sign-in: hence the
 * per-client share (see the bench's one- and five-address floods).
 */
export class PasswordCheckLimiter {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly shares = new Map<string, Share>();
  private readonly refusals: RefusalReport;

  constructor(
    private readonly limits: PasswordCheckLimits = DEFAULT_PASSWORD_CHECK_LIMITS,
    report: (refused: RefusalCounts) => void = () => undefined,
  ) {
    this.refusals = new RefusalReport(report);
  }

  /**
   * Runs `hash` for `party` when its shares and a slot are free; when `failed(result)`, its turns
   * are held for as long again. @throws PasswordCheckBusy naming the share that was full
   */
  async run<T>(party: PasswordCheckParty, hash: () => Promise<T>, failed: (result: T) => boolean = () => false): Promise<T> {
    // Spans of the request's trace when tracing is on; the API's no-op otherwise, beside a hash of 100 ms or more.
    const wait = tracer.startSpan('password_check.wait');
    const traced = () => { wait.end(); return tracer.startActiveSpan('password_check.hash', (span) => hash().finally(() => span.end())); };
    try {
      return await this.admit(party, traced, failed);
    } catch (err) {
      if (err instanceof PasswordCheckBusy) { wait.setAttribute('gatehouse.password_check.refused', err.share); wait.end(); }
      throw err;
    }
  }

  private async admit<T>(party: PasswordCheckParty, hash: () => Promise<T>, failed: (result: T) => boolean): Promise<T> {
    const keys: [PasswordCheckShare, string][] = [['account', `account:${party.account}`]];
    if (party.client !== undefined) keys.push(['client', `client:${party.client}`]);
    const shares = keys.map(([, key]) => this.shareOf(key));
    const full = keys.findIndex((_, i) => shares[i]!.waited); // someone already waits for that turn
    if (full >= 0) {
      await paced(shares.find((s) => s.ends)?.ends);
      this.refuse(keys[full]![0], keys);
    }
    if (shares.some((s) => s.ends)) await this.waitForTurns(shares);
    const slotsFull = this.running >= this.limits.concurrency;
    if (slotsFull && this.waiting.length >= this.limits.queue) this.refuse('server', keys);
    let ended!: () => void;
    const ends = new Promise<void>((resolve) => { ended = resolve; });
    for (const share of shares) share.ends = ends;
    let holdMs = 0;
    try {
      if (slotsFull) await new Promise<void>((resolve) => this.waiting.push(resolve));
      else this.running++;
      const started = performance.now();
      try {
        const result = await hash();
        if (failed(result)) holdMs = performance.now() - started;
        return result;
      } finally {
        this.release();
      }
    } finally {
      const end = () => {
        for (const share of shares) delete share.ends;
        this.forget(keys);
        ended();
      };
      if (holdMs > 0) setTimeout(end, holdMs).unref(); else end();
    }
  }

  /** Running and queued hashes, and the accounts and clients holding or awaiting a turn, for tests. */
  stats(): { running: number; waiting: number; shares: number } {
    return { running: this.running, waiting: this.waiting.length, shares: this.shares.size };
  }

  /** Waits, as the one waiter of each of these shares, until none is held; arrivals meanwhile are refused. */
  private async waitForTurns(shares: Share[]): Promise<void> {
    for (const share of shares) share.waited = true;
    try {
      for (let held = shares.find((s) => s.ends); held; held = shares.find((s) => s.ends)) await held.ends;
    } finally {
      for (const share of shares) share.waited = false;
    }
  }

  private shareOf(key: string): Share {
    let share = this.shares.get(key);
    if (!share) this.shares.set(key, share = { waited: false });
    return share;
  }

  /** Drops shares nobody holds or awaits, so the map does not grow with every address ever seen. */
  private forget(keys: [PasswordCheckShare, string][]): void {
    for (const [, key] of keys) {
      const share = this.shares.get(key);
      if (share && !share.ends && !share.waited) this.shares.delete(key);
    }
  }

  private refuse(share: PasswordCheckShare, keys: [PasswordCheckShare, string][]): never {
    this.forget(keys);
    this.refusals.count(share);
    throw new PasswordCheckBusy(share);
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next(); // the slot passes straight to the next in line: `running` stays as it is
    else this.running--;
  }
}
