import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { DotAuthServer } from '../../src/adapters/auth/dot-auth-server.js';
import { withIntrospectionCache, type IntrospectionCacheSettings } from '../../src/adapters/auth/introspection-cache.js';
import type { Introspection, TokenPair } from '../../src/domain/account.js';
import { AuthServerUnavailable } from '../../src/domain/errors.js';
import type { AuthServer } from '../../src/ports/auth-server.js';
import { requireService } from '../support/availability.js';
import { dotPeerAvailable, startDotPeer, type DotPeer } from '../support/dot-peer.js';
import { rejectionOf } from '../support/rejection.js';

const T0 = 1_800_000_000_000; // ms

/** Answers from a table, counts calls, and can be made to fail; each call takes a tick so callers overlap. */
class CountingAuthServer implements AuthServer {
  calls = 0;
  failNext = 0;
  readonly claims = new Map<string, Introspection>();
  async introspect(token: string): Promise<Introspection> {
    this.calls++;
    const answer = this.claims.get(token) ?? { active: false }; // read on arrival, answered later
    await new Promise((done) => setTimeout(done, 5));
    if (this.failNext > 0) { this.failNext--; throw new AuthServerUnavailable(); }
    return answer;
  }
  async signUp(): Promise<never> { throw new Error('not used'); }
  async issueToken(): Promise<TokenPair> { throw new Error('not used'); }
  async refresh(): Promise<TokenPair> { throw new Error('not used'); }
  async changePassword(): Promise<void> {}
  async revoke(token: string): Promise<void> { this.claims.delete(token); }
  async ping(): Promise<void> {}
}

describe('introspection cache', () => {
  let inner: CountingAuthServer;
  let nowMs: number;
  const make = (settings: Partial<IntrospectionCacheSettings> = {}) => withIntrospectionCache(inner, {
    ttlSeconds: 60, negativeTtlSeconds: 5, maxEntries: 100, now: () => nowMs, ...settings,
  });
  const grant = (token: string, subject = 'alice', expInSeconds = 3600) => {
    inner.claims.set(token, { active: true, subject, email: `${subject}@example.com`, scopes: ['read'], exp: nowMs / 1000 + expInSeconds });
  };
  beforeEach(() => { inner = new CountingAuthServer(); nowMs = T0; });

  it('makes one inner call for 50 concurrent introspections of a new token, and none once warm', async () => {
    const cache = make();
    grant('tok');
    const answers = await Promise.all(Array.from({ length: 50 }, () => cache.introspect('tok')));
    expect(inner.calls).to.equal(1);
    expect(answers.every((a) => a.active)).to.equal(true);
    for (let i = 0; i < 100; i++) await cache.introspect('tok');
    expect(inner.calls).to.equal(1);
    expect(cache.stats()).to.include({ hits: 100, misses: 1, size: 1 });
  });

  it('keeps an active answer for the TTL when the token lives longer', async () => {
    const cache = make();
    grant('tok');
    await cache.introspect('tok');
    nowMs += 59_000;
    expect((await cache.introspect('tok')).active).to.equal(true);
    expect(inner.calls).to.equal(1);
    nowMs += 2_000;
    await cache.introspect('tok');
    expect(inner.calls).to.equal(2);
  });

  it('never serves an active answer past the token\'s exp, and answers inactive then without a call', async () => {
    const cache = make();
    grant('tok', 'alice', 10);
    await cache.introspect('tok');
    nowMs += 9_000;
    expect((await cache.introspect('tok')).active).to.equal(true);
    nowMs += 1_000;
    expect(await cache.introspect('tok')).to.deep.equal({ active: false });
    expect(inner.calls).to.equal(1);
  });

  it('answers inactive for an answer that is already expired when it arrives', async () => {
    const cache = make();
    grant('tok', 'alice', 0);
    expect(await cache.introspect('tok')).to.deep.equal({ active: false });
  });

  it('keeps an inactive answer for the negative TTL', async () => {
    const cache = make();
    for (let i = 0; i < 10; i++) expect(await cache.introspect('junk')).to.deep.equal({ active: false });
    expect(inner.calls).to.equal(1);
    nowMs += 4_900;
    await cache.introspect('junk');
    expect(inner.calls).to.equal(1);
    nowMs += 200;
    await cache.introspect('junk');
    expect(inner.calls).to.equal(2);
    expect(cache.stats().negativeHits).to.equal(10);
  });

  it('never holds more than maxEntries', async () => {
    const cache = make({ maxEntries: 10 });
    for (let i = 0; i < 100; i++) {
      grant(`tok-${i}`, `user-${i}`);
      await cache.introspect(`tok-${i}`);
      expect(cache.stats().size).to.be.at.most(10);
    }
    await cache.introspect('tok-0'); // evicted long ago
    expect(inner.calls).to.equal(101);
  });

  it('drops every cached token of a subject, and only those', async () => {
    const cache = make();
    grant('a1', 'alice'); grant('a2', 'alice'); grant('b1', 'bob');
    for (const t of ['a1', 'a2', 'b1']) await cache.introspect(t);
    cache.dropSubject('alice');
    expect(cache.stats().size).to.equal(1);
    for (const t of ['a1', 'a2', 'b1']) await cache.introspect(t);
    expect(inner.calls).to.equal(5);
  });

  it('forgets a revoked token at once', async () => {
    const cache = make();
    grant('tok');
    await cache.introspect('tok');
    await cache.revoke('tok');
    expect(await cache.introspect('tok')).to.deep.equal({ active: false });
    expect(inner.calls).to.equal(2);
  });

  it('does not cache an answer that arrives after the token was revoked', async () => {
    const cache = make();
    grant('tok');
    const racing = cache.introspect('tok'); // in flight while the revocation happens
    await cache.revoke('tok');
    expect((await racing).active).to.equal(true);
    expect(await cache.introspect('tok')).to.deep.equal({ active: false });
  });

  it('drops the subject\'s tokens after a password change', async () => {
    const cache = make();
    grant('a1', 'alice'); grant('a2', 'alice');
    for (const t of ['a1', 'a2']) await cache.introspect(t);
    await cache.changePassword('a1', { oldPassword: 'x', password: 'y' });
    expect(cache.stats().size).to.equal(0);
  });

  it('passes every call through when the TTL is 0', async () => {
    const cache = make({ ttlSeconds: 0 });
    grant('tok');
    await Promise.all(Array.from({ length: 5 }, () => cache.introspect('tok')));
    for (let i = 0; i < 5; i++) await cache.introspect('tok');
    expect(inner.calls).to.equal(10);
  });

  it('does not cache a failure: every waiter sees it and the next caller retries', async () => {
    const cache = make();
    grant('tok');
    inner.failNext = 1;
    const failures = await Promise.all(Array.from({ length: 5 }, () => rejectionOf(cache.introspect('tok'))));
    expect(failures.every((e) => e instanceof AuthServerUnavailable)).to.equal(true);
    expect(inner.calls).to.equal(1);
    expect((await cache.introspect('tok')).active).to.equal(true);
    expect(inner.calls).to.equal(2);
  });

  it('keys entries by a hash, never by the token itself', async () => {
    const cache = make();
    const token = 'a-token-that-must-not-be-kept-in-clear';
    grant(token);
    await cache.introspect(token);
    await cache.introspect('junk');
    expect(cache.keys()).to.have.length(2);
    for (const key of cache.keys()) expect(key).to.match(/^[0-9a-f]{64}$/).and.not.include(token);
  });

  describe('in front of the real DOT peer', function () {
    this.timeout(60_000);
    let peer: DotPeer;
    before(async function () {
      requireService(this, dotPeerAvailable(), 'the DOT peer');
      peer = await startDotPeer({ accessLog: true });
    });
    after(async () => { await peer?.stop(); });

    it('makes exactly one introspection call at DOT for 20 concurrent look-ups of a new token, and none for 100 warm ones', async () => {
      const dot = new DotAuthServer({ baseUrl: peer.url, clientId: peer.clientId, clientSecret: peer.clientSecret, timeoutMs: 3000 });
      const cache = withIntrospectionCache(dot, { ttlSeconds: 60, negativeTtlSeconds: 5, maxEntries: 1000 });
      const email = `cache-${randomBytes(6).toString('hex')}@example.com`;
      await dot.signUp({ email, password: 'correct horse battery' });
      const { accessToken } = await dot.issueToken({ email, password: 'correct horse battery', scopes: ['read'] });
      const settle = () => new Promise((done) => setTimeout(done, 300)); // gunicorn logs just after replying
      await settle();
      peer.resetCounts();
      const cold = await Promise.all(Array.from({ length: 20 }, () => cache.introspect(accessToken)));
      expect(cold.every((c) => c.active)).to.equal(true);
      await settle();
      expect(peer.introspectionCalls()).to.equal(1);
      for (let i = 0; i < 100; i++) expect((await cache.introspect(accessToken)).active).to.equal(true);
      await settle();
      expect(peer.introspectionCalls()).to.equal(1);
    });
  });
});
