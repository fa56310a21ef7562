import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import { HttpProblem } from '../answers/http-problem.js';
import { answerStalledBody } from '../server/server-limits.js';

export interface BodyReadLimits {
  /** Bodies read at once, in all (BODY_READS_MAX). */
  total: number;
  /** Bodies read at once from one client address (BODY_READS_PER_ADDRESS). */
  perAddress: number;
  /** A body that sends nothing for this long is dropped with a 408 (BODY_IDLE_TIMEOUT_MS). */
  idleMs: number;
}

/**
 * A body is read into memory whole (up to 64 KiB, and twice that as parsed JSON), so each one
 * being read is memory held for as long as its sender likes, up to the 30 s request timeout. 128 in
 * all is 8 MiB of bodies; 16 from one address is more than any client that sends its body at once
 * (a few milliseconds) keeps in flight, even many users behind one NAT.
 */
export const DEFAULT_BODY_READ_LIMITS: BodyReadLimits = { total: 128, perAddress: 16, idleMs: 10_000 };

/** Seconds a refused client is asked to wait: about as long as the bodies ahead of it may take to drop. */
const RETRY_AFTER_SECONDS = 5;
const REPORT_EVERY_MS = 10_000;

/**
 * Admits request bodies to be read: beyond the caps, 503 with Retry-After before a byte of the
 * body is read, and the connection closed (so the unread body is not drained); a body that goes
 * quiet for `idleMs` is answered 408 and its connection dropped, which frees its place.
 */
export class BodyReads {
  private total = 0;
  private readonly byAddress = new Map<string, number>();
  private refused = { total: 0, perAddress: 0 };
  private lastReport = -Infinity;

  constructor(private readonly limits: BodyReadLimits, private readonly logger: Logger) {}

  /** Reads the body with `read` inside a place for `address`. @throws HttpProblem 503 when none is free */
  async read<T>(req: IncomingMessage, address: string, read: () => Promise<T>): Promise<T> {
    const mine = this.byAddress.get(address) ?? 0;
    if (mine >= this.limits.perAddress) throw this.refuse('perAddress', `this client address already has ${mine} request bodies being read, the most one address may (BODY_READS_PER_ADDRESS)`);
    if (this.total >= this.limits.total) throw this.refuse('total', `the server is reading ${this.total} request bodies, the most it reads at once (BODY_READS_MAX)`);
    this.total++;
    this.byAddress.set(address, mine + 1);
    const stalled = () => answerStalledBody(req.socket, this.limits.idleMs);
    req.setTimeout(this.limits.idleMs, stalled); // the socket's idle timer: reset by every byte that arrives
    try {
      return await read();
    } finally {
      req.off('timeout', stalled);
      req.socket?.setTimeout(0);
      this.total--;
      const left = (this.byAddress.get(address) ?? 1) - 1;
      if (left > 0) this.byAddress.set(address, left); else this.byAddress.delete(address);
    }
  }

  /** Bodies being read now, for tests. */
  stats(): { total: number; addresses: number } {
    return { total: this.total, addresses: this.byAddress.size };
  }

  private refuse(cap: 'total' | 'perAddress', detail: string): HttpProblem {
    this.refused[cap]++;
    const now = performance.now();
    if (now - this.lastReport >= REPORT_EVERY_MS) {
      this.lastReport = now;
      this.logger.warn({ refused: this.refused, reading: this.total }, 'request bodies refused: too many being read at once (counts since the last such line)');
      this.refused = { total: 0, perAddress: 0 };
    }
    return new HttpProblem('body_reads_busy', `${detail}; retry in ${RETRY_AFTER_SECONDS} s`, {
      headers: { 'Retry-After': String(RETRY_AFTER_SECONDS), Connection: 'close' }, oauthError: 'temporarily_unavailable',
    });
  }
}
