import type { Account, Credentials, Introspection, PasswordChange, ProofOfPossession, SignUp, TokenPair, TokenTypeHint } from '../../domain/account.js';
import { AuthServerUnavailable } from '../../domain/errors.js';
import type { AuthServer } from '../../ports/auth-server.js';

export interface CircuitBreakerSettings {
  /** Consecutive AuthServerUnavailable failures that open the breaker; 0 turns it off. */
  failures: number;
  /** How long the breaker fails fast after it opens, before it lets one probe through. */
  firstCooldownMs: number;
  /** Each failed probe doubles the cooldown, up to this: the most a recovered server waits to be noticed. */
  maxCooldownMs: number;
  /** Milliseconds; injectable so tests can move time. */
  now?: () => number;
}

export type BreakerState = 'closed' | 'open' | 'half-open';

export type BreakingAuthServer = AuthServer & {
  /** For metrics: `open` while failing fast, `half-open` while the one probe is out. */
  state(): BreakerState;
};

export function withCircuitBreaker(inner: AuthServer, settings: CircuitBreakerSettings): BreakingAuthServer {
  return new CircuitBreaker(inner, settings);
}

/**
 * Stops calling an authorization server that keeps failing: each call to a dead server costs a
 * connection attempt (or AUTH_TIMEOUT_MS when it hangs) at our end and load at its end while it
 * tries to come back. Only AuthServerUnavailable counts: InvalidGrant, an inactive token or even a
 * garbled answer mean the server is up. Once open, one probe at a time finds out whether it is back:
 * the first after a short cooldown (a blip costs little), then at doubling intervals up to a cap (a
 * long outage costs the dead server one call per cap, and its return is noticed within the cap).
 * Hand-written rather than opossum: the port has seven methods sharing one state, and the whole
 * rule fits on this screen.
 */
class CircuitBreaker implements AuthServer {
  private consecutiveFailures = 0;
  private openedAt: number | undefined;
  private cooldownMs: number;
  private probing = false;
  private readonly now: () => number;

  constructor(private readonly inner: AuthServer, private readonly settings: CircuitBreakerSettings) {
    this.now = settings.now ?? Date.now;
    this.cooldownMs = this.firstCooldown();
  }

  state(): BreakerState {
    if (this.openedAt === undefined) return 'closed';
    return this.probing || this.now() - this.openedAt >= this.cooldownMs ? 'half-open' : 'open';
  }

  signUp(input: SignUp): Promise<Account> { return this.guard(() => this.inner.signUp(input)); }
  issueToken(credentials: Credentials): Promise<TokenPair> { return this.guard(() => this.inner.issueToken(credentials)); }
  refresh(refreshToken: string, proof?: ProofOfPossession): Promise<TokenPair> { return this.guard(() => this.inner.refresh(refreshToken, proof)); }
  changePassword(accessToken: string, change: PasswordChange): Promise<void> {
    return this.guard(() => this.inner.changePassword(accessToken, change));
  }
  revoke(token: string, hint?: TokenTypeHint): Promise<void> { return this.guard(() => this.inner.revoke(token, hint)); }
  introspect(accessToken: string): Promise<Introspection> { return this.guard(() => this.inner.introspect(accessToken)); }

  /**
   * Readiness always asks the server itself (an orchestrator should see the truth, at its own slow
   * pace), and its answer counts like any other: a ready server closes the breaker early.
   */
  ping(): Promise<void> { return this.observe(() => this.inner.ping(), false); }

  private guard<T>(call: () => Promise<T>): Promise<T> {
    if (this.settings.failures <= 0) return call();
    switch (this.state()) {
      case 'closed': return this.observe(call, false);
      case 'open': return Promise.reject(this.fastFailure());
      case 'half-open':
        if (this.probing) return Promise.reject(this.fastFailure());
        this.probing = true;
        return this.observe(call, true).finally(() => { this.probing = false; });
    }
  }

  private async observe<T>(call: () => Promise<T>, probe: boolean): Promise<T> {
    try {
      const result = await call();
      this.close();
      return result;
    } catch (err) {
      if (!(err instanceof AuthServerUnavailable)) {
        this.close();
        throw err;
      }
      this.fail(probe);
      // Once open, every refusal says when the next probe goes: a client that waits that long is not refused again for nothing.
      throw this.openedAt === undefined ? err : this.refusal(err.message, err);
    }
  }

  private close(): void {
    this.consecutiveFailures = 0;
    this.openedAt = undefined;
    this.cooldownMs = this.firstCooldown();
  }

  private fail(probe: boolean): void {
    if (this.settings.failures <= 0) return;
    this.consecutiveFailures++;
    if (probe) {
      this.cooldownMs = Math.min(this.cooldownMs * 2, this.settings.maxCooldownMs);
      this.openedAt = this.now();
    } else if (this.openedAt === undefined && this.consecutiveFailures >= this.settings.failures) {
      this.openedAt = this.now();
    }
    // Anything else failing while open (a call sent before it opened, a readiness ping) says nothing
    // new: it neither restarts nor lengthens the cooldown, so it cannot delay the next probe.
  }

  private firstCooldown(): number {
    return Math.min(this.settings.firstCooldownMs, this.settings.maxCooldownMs);
  }

  private fastFailure(): AuthServerUnavailable {
    const left = this.msToNextProbe();
    return this.refusal(left > 0
      ? `the authorization server is failing; the next try is in ${Math.ceil(left)} ms`
      : 'the authorization server is failing; one call is finding out whether it is back');
  }

  private refusal(detail: string, cause?: unknown): AuthServerUnavailable {
    return new AuthServerUnavailable(detail, { cause, retryAfterSeconds: Math.max(1, Math.ceil(this.msToNextProbe() / 1000)) });
  }

  private msToNextProbe(): number {
    return Math.max(0, this.cooldownMs - (this.now() - (this.openedAt ?? this.now())));
  }
}
