import { expect } from 'chai';
import { withCircuitBreaker, type CircuitBreakerSettings } from '../../src/adapters/auth/circuit-breaker.js';
import { withIntrospectionCache } from '../../src/adapters/auth/introspection-cache.js';
import { toProblem } from '../../src/adapters/http/answers/problem.js';
import type { Introspection, TokenPair } from '../../src/domain/account.js';
import { AuthServerBadAnswer, AuthServerUnavailable, InvalidGrant } from '../../src/domain/errors.js';
import type { AuthServer } from '../../src/ports/auth-server.js';
import { rejectionOf } from '../support/rejection.js';

/** An auth server whose next answers the test sets: `down` throws AuthServerUnavailable; calls are counted. */
class SteerableAuthServer implements AuthServer {
  calls = 0;
  down = false;
  answerWith: Error | undefined;
  private release: (() => void) | undefined;
  /** While set, calls wait until `let go()`, so a test can hold a probe in flight. */
  hold = false;
  async introspect(): Promise<Introspection> {
    return this.answer({ active: true, subject: 's', email: 's@example.com', scopes: ['read'], exp: 4_000_000_000 });
  }
  async issueToken(): Promise<TokenPair> { return this.answer({ accessToken: 'a', refreshToken: 'r', expiresIn: 60, scopes: ['read'] }); }
  async signUp(): Promise<never> { throw new Error('not used'); }
  async refresh(): Promise<TokenPair> { throw new Error('not used'); }
  async changePassword(): Promise<void> {}
  async revoke(): Promise<void> { await this.answer(undefined); }
  async ping(): Promise<void> { await this.answer(undefined); }
  letGo(): void { this.hold = false; this.release?.(); }
  private async answer<T>(value: T): Promise<T> {
    this.calls++;
    if (this.hold) await new Promise<void>((done) => { this.release = done; });
    if (this.down) throw new AuthServerUnavailable();
    if (this.answerWith) throw this.answerWith;
    return value;
  }
}

describe('circuit breaker around the auth server', () => {
  let inner: SteerableAuthServer;
  let nowMs: number;
  const make = (settings: Partial<CircuitBreakerSettings> = {}) =>
    withCircuitBreaker(inner, { failures: 3, firstCooldownMs: 250, maxCooldownMs: 1000, now: () => nowMs, ...settings });
  const failTimes = async (breaker: AuthServer, n: number) => {
    for (let i = 0; i < n; i++) expect(await rejectionOf(breaker.introspect('t'))).to.be.instanceOf(AuthServerUnavailable);
  };
  beforeEach(() => { inner = new SteerableAuthServer(); nowMs = 1_000_000; });

  it('opens after N consecutive unavailable answers and then fails fast without calling the server', async () => {
    const breaker = make();
    inner.down = true;
    await failTimes(breaker, 2);
    expect(breaker.state()).to.equal('closed');
    await failTimes(breaker, 1);
    expect(breaker.state()).to.equal('open');
    expect(inner.calls).to.equal(3);
    await failTimes(breaker, 100);
    expect(await rejectionOf(breaker.issueToken({ email: 'a@example.com', password: 'p', scopes: ['read'] })))
      .to.be.instanceOf(AuthServerUnavailable);
    expect(inner.calls).to.equal(3);
  });

  it('counts only consecutive failures: a success in between starts the count again', async () => {
    const breaker = make();
    inner.down = true;
    await failTimes(breaker, 2);
    inner.down = false;
    await breaker.introspect('t');
    inner.down = true;
    await failTimes(breaker, 2);
    expect(breaker.state()).to.equal('closed');
  });

  it('does not count answers: invalid_grant and garbled answers mean the server is up', async () => {
    const breaker = make();
    for (const answer of [new InvalidGrant(), new AuthServerBadAnswer('html')]) {
      inner.answerWith = answer;
      for (let i = 0; i < 5; i++) expect(await rejectionOf(breaker.introspect('t'))).to.equal(answer);
    }
    expect(breaker.state()).to.equal('closed');
    expect(inner.calls).to.equal(10);
  });

  it('lets exactly one probe through after the first cooldown, and closes when it succeeds', async () => {
    const breaker = make();
    inner.down = true;
    await failTimes(breaker, 3);
    nowMs += 249;
    await failTimes(breaker, 1);
    expect(inner.calls).to.equal(3);
    nowMs += 1;
    expect(breaker.state()).to.equal('half-open');
    inner.down = false;
    inner.hold = true;
    const probe = breaker.introspect('t');
    await failTimes(breaker, 5); // while the probe is out, the others still fail fast
    expect(inner.calls).to.equal(4);
    expect(breaker.state()).to.equal('half-open');
    inner.letGo();
    expect((await probe).active).to.equal(true);
    expect(breaker.state()).to.equal('closed');
    await breaker.introspect('t');
    expect(inner.calls).to.equal(5);
  });

  it('doubles the cooldown after each failed probe, up to the longest', async () => {
    const breaker = make();
    inner.down = true;
    await failTimes(breaker, 3);
    const probedAfter: number[] = [];
    for (let probes = 0; probes < 5; probes++) {
      let waited = 0;
      const callsBefore = inner.calls;
      while (inner.calls === callsBefore) { nowMs += 50; waited += 50; await failTimes(breaker, 1); }
      probedAfter.push(waited);
    }
    expect(probedAfter).to.deep.equal([250, 500, 1000, 1000, 1000]);
  });

  it('starts again from the first cooldown once a probe succeeds', async () => {
    const breaker = make();
    inner.down = true;
    await failTimes(breaker, 3);
    for (const cooldown of [250, 500, 1000]) { nowMs += cooldown; await failTimes(breaker, 1); } // three failed probes
    nowMs += 1000;
    inner.down = false;
    await breaker.introspect('t');
    expect(breaker.state()).to.equal('closed');
    inner.down = true;
    await failTimes(breaker, 3);
    const calls = inner.calls;
    nowMs += 249;
    await failTimes(breaker, 1);
    expect(inner.calls).to.equal(calls);
    nowMs += 1;
    await failTimes(breaker, 1);
    expect(inner.calls).to.equal(calls + 1); // probed after 250 ms again, not 1000
  });

  it('does not let calls sent before it opened, or failing pings, delay the next probe', async () => {
    const breaker = make();
    inner.hold = true;
    inner.down = true;
    const straggler = rejectionOf(breaker.introspect('sent while closed'));
    inner.hold = false;
    await failTimes(breaker, 3); // these open it
    nowMs += 200;
    inner.letGo();
    expect(await straggler).to.be.instanceOf(AuthServerUnavailable);
    expect(await rejectionOf(breaker.ping())).to.be.instanceOf(AuthServerUnavailable);
    nowMs += 50;
    expect(breaker.state()).to.equal('half-open'); // still 250 ms after opening, not after the straggler
  });

  it('refuses with Retry-After set to the seconds until the next probe, not the generic 5', async () => {
    const breaker = make({ firstCooldownMs: 250, maxCooldownMs: 4000 });
    inner.down = true;
    await failTimes(breaker, 2);
    expect(toProblem(await rejectionOf(breaker.introspect('t'))).headers['Retry-After']).to.equal('1'); // the one that opens it
    nowMs += 100;
    const fast = await rejectionOf(breaker.introspect('t'));
    expect((fast as Error).message).to.contain('150 ms');
    expect(toProblem(fast).headers['Retry-After']).to.equal('1');
    for (const cooldown of [150, 500, 1000]) { nowMs += cooldown; await failTimes(breaker, 1); } // failed probes: next in 2000 ms
    expect(toProblem(await rejectionOf(breaker.introspect('t'))).headers['Retry-After']).to.equal('2');
    expect(toProblem(new AuthServerUnavailable()).headers['Retry-After']).to.equal('5');
  });

  it('lets readiness pings through while open, and a ready server closes it', async () => {
    const breaker = make();
    inner.down = true;
    await failTimes(breaker, 3);
    expect(await rejectionOf(breaker.ping())).to.be.instanceOf(AuthServerUnavailable);
    expect(inner.calls).to.equal(4);
    inner.down = false;
    await breaker.ping();
    expect(breaker.state()).to.equal('closed');
  });

  it('never opens with failures = 0', async () => {
    const breaker = make({ failures: 0 });
    inner.down = true;
    await failTimes(breaker, 20);
    expect(breaker.state()).to.equal('closed');
    expect(inner.calls).to.equal(20);
  });

  it('keeps warm cached tokens working while open when it sits below the introspection cache', async () => {
    const breaker = make();
    const cached = withIntrospectionCache(breaker, { ttlSeconds: 60, negativeTtlSeconds: 5, maxEntries: 10, now: () => nowMs });
    await cached.introspect('warm');
    inner.down = true;
    await failTimes(cached, 3);
    expect(breaker.state()).to.equal('open');
    expect((await cached.introspect('warm')).active).to.equal(true);
    expect(await rejectionOf(cached.introspect('cold'))).to.be.instanceOf(AuthServerUnavailable);
  });
});
