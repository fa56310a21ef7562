/**
 * The time limit of one call to the authorization server: one timer, cleared when the call ends,
 * in the shape of an AbortSignal as node-fetch reads one (its `isAbortSignal` checks the tag; it
 * reads `aborted` and adds and removes one `abort` listener, nothing else), so it is passed as the
 * call's `signal`.
 *
 * Why not `AbortSignal.timeout(ms)`: its timer cannot be cleared. Every call's signal stays alive
 * for the whole timeout after the answer came, then fires, builds a DOMException and dispatches an
 * abort event nobody listens to any more: at 200 calls/s and the default 3 s timeout, 600 live signals
 * and timers, and 200 needless DOMExceptions a second. `new AbortController()` with a timer would
 * clear, but builds an EventTarget and its signal per call. This is one object and one timer
 * (scripts/bench/micro.ts, "a call's time limit").
 */
export class Deadline {
  readonly [Symbol.toStringTag] = 'AbortSignal';
  readonly #timer: NodeJS.Timeout;
  #expired = false;
  #onAbort: (() => void) | undefined;

  constructor(readonly ms: number) {
    this.#timer = setTimeout(() => this.#expire(), ms);
    this.#timer.unref(); // a call in flight keeps the process alive by its socket, not by its time limit
  }

  /** The time ran out: the call's failure is then "no answer within ms", whatever error it ended with. */
  get aborted(): boolean { return this.#expired; }

  /** The call ended (answer read, or failed): the timer goes, and nothing fires later. */
  clear(): void {
    clearTimeout(this.#timer);
    this.#onAbort = undefined;
  }

  addEventListener(type: string, listener: () => void): void { if (type === 'abort') this.#onAbort = listener; }
  removeEventListener(type: string): void { if (type === 'abort') this.#onAbort = undefined; }

  #expire(): void {
    this.#expired = true;
    const onAbort = this.#onAbort;
    this.#onAbort = undefined;
    onAbort?.();
  }
}
