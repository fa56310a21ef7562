import { PasswordCheckBusy } from '../../domain/errors.js';

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

/**
 * Bounds the password hashes in flight: at most `concurrency` run and `queue` more wait, and each
 * account has at most one running or waiting. A second attempt for an account waits until that one
 * ends, then the first of its waiters takes the account's turn and the others are refused; beyond
 * the queue, refused at once. Refused means PasswordCheckBusy (503 + Retry-After), never an
 * unbounded queue. After a failed check (a wrong password) the account's turn stays taken for as
 * long again, with no thread busy: a guesser's account gets at most half a core.
 *
 * Why, measured with `npm run bench:password` (N=2^17, 2 shared cores, 32 connections looping
 * wrong-old-password changes with one token; a bystander's sign-in p50 against idle): no limit,
 * 29× (12.4 s: scrypt queued in libuv's pool). One hash per account, others refused at once: 2.6×,
 * the refusals looping 370 times a second through the whole request path. Waiting for the
 * account's turn instead: 1.9–3.7×, the hammered account's back-to-back hashes taking a core.
 * With the hold after a failure as well: 1.04–1.09×.
 */
export class PasswordCheckLimiter {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  /** Each account whose turn is taken (running, queued or held after a failure), and when it ends; never rejects. */
  private readonly accounts = new Map<string, Promise<void>>();

  constructor(private readonly limits: PasswordCheckLimits = DEFAULT_PASSWORD_CHECK_LIMITS) {}

  /**
   * Runs `hash` for `account` (any stable key: the normalised email) when a slot is free; when
   * `failed(result)`, the account's turn is held for as long again. @throws PasswordCheckBusy
   */
  async run<T>(account: string, hash: () => Promise<T>, failed: (result: T) => boolean = () => false): Promise<T> {
    const ahead = this.accounts.get(account);
    if (ahead) {
      await ahead;
      if (this.accounts.has(account)) throw new PasswordCheckBusy(); // another waiter took the turn
    }
    const full = this.running >= this.limits.concurrency;
    if (full && this.waiting.length >= this.limits.queue) throw new PasswordCheckBusy();
    let ended!: () => void;
    this.accounts.set(account, new Promise<void>((resolve) => { ended = resolve; }));
    let holdMs = 0;
    try {
      if (full) await new Promise<void>((resolve) => this.waiting.push(resolve));
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
      const end = () => { this.accounts.delete(account); ended(); };
      if (holdMs > 0) setTimeout(end, holdMs).unref(); else end();
    }
  }

  /** Running and queued hashes, for tests. */
  stats(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next(); // the slot passes straight to the next in line: `running` stays as it is
    else this.running--;
  }
}
