import type { Account, Credentials, Introspection, PasswordChange, ProofOfPossession, SignUp, TokenPair, TokenTypeHint } from '../../domain/account.js';
import { AuthServerUnavailable } from '../../domain/errors.js';
import type { AuthServer } from '../../ports/auth-server.js';

export interface CircuitBreakerSettings {
  /** Consecutive AuthServerUnavailable failures that open the breaker; 0 turns it off. */
  failures: number;
  /** How long an open breaker fails fast before it lets one probe through. */
  cooldownMs: number;
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
 * garbled answer mean the server is up. Hand-written rather than opossum: the port has seven
 * methods sharing one state, and the whole rule fits on this screen.
 */
class CircuitBreaker implements AuthServer {
  private consecutiveFailures = 0;
  private openedAt: number | undefined;
  private probing = false;
  private readonly now: () => number;

  constructor(private readonly inner: AuthServer, private readonly settings: CircuitBreakerSettings) {
    this.now = settings.now ?? Date.now;
  }

  state(): BreakerState {
    if (this.openedAt === undefined) return 'closed';
    return this.probing || this.now() - this.openedAt >= this.settings.cooldownMs ? 'half-open' : 'open';
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
  ping(): Promise<void> { return this.observe(() => this.inner.ping()); }

  private guard<T>(call: () => Promise<T>): Promise<T> {
    if (this.settings.failures <= 0) return call();
    switch (this.state()) {
      case 'closed': return this.observe(call);
      case 'open': return Promise.reject(this.fastFailure());
      case 'half-open':
        if (this.probing) return Promise.reject(this.fastFailure());
        this.probing = true;
        return this.observe(call).finally(() => { this.probing = false; });
    }
  }

  private async observe<T>(call: () => Promise<T>): Promise<T> {
    try {
      const result = await call();
      this.close();
      return result;
    } catch (err) {
      if (err instanceof AuthServerUnavailable) this.fail();
      else this.close();
      throw err;
    }
  }

  private close(): void {
    this.consecutiveFailures = 0;
    this.openedAt = undefined;
  }

  private fail(): void {
    if (this.settings.failures <= 0) return;
    this.consecutiveFailures++;
    // A failed probe, or the n-th failure in a row, (re)starts the cooldown.
    if (this.openedAt !== undefined || this.consecutiveFailures >= this.settings.failures) this.openedAt = this.now();
  }

  private fastFailure(): AuthServerUnavailable {
    const left = Math.max(0, this.settings.cooldownMs - (this.now() - (this.openedAt ?? this.now())));
    return new AuthServerUnavailable(`the authorization server is failing; not trying it again for ${Math.ceil(left / 1000)} s`);
  }
}
