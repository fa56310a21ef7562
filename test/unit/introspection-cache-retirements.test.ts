import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { withIntrospectionCache, type CachedAuthServer } from '../../src/adapters/auth/introspection-cache.js';
import type { Introspection, TokenPair } from '../../src/domain/account.js';
import type { AuthServer } from '../../src/ports/auth-server.js';
import { InMemoryRetirementChannel } from '../fakes/in-memory-retirement-channel.js';

const T0 = 1_800_000_000_000; // ms
const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');

/** Answers from a table and counts calls; each call takes a tick so a retirement can land while it is in flight. */
class TableAuthServer implements AuthServer {
  calls = 0;
  readonly claims = new Map<string, Introspection>();
  async introspect(token: string): Promise<Introspection> {
    this.calls++;
    const answer = this.claims.get(token) ?? { active: false };
    await new Promise((done) => setTimeout(done, 5));
    return answer;
  }
  async signUp(): Promise<never> { throw new Error('not used'); }
  async issueToken(): Promise<TokenPair> { throw new Error('not used'); }
  async refresh(): Promise<TokenPair> { throw new Error('not used'); }
  async changePassword(): Promise<void> {}
  async revoke(): Promise<void> {}
  async ping(): Promise<void> {}
}

describe('introspection cache with a retirement channel', () => {
  let inner: TableAuthServer;
  let channel: InMemoryRetirementChannel;
  let nowMs: number;
  const make = (): CachedAuthServer => withIntrospectionCache(inner, {
    ttlSeconds: 300, negativeTtlSeconds: 5, maxEntries: 100, retirements: channel, now: () => nowMs,
  });
  const grant = (token: string, subject = 'alice') => {
    inner.claims.set(token, { active: true, subject, email: `${subject}@example.com`, scopes: ['read'], exp: nowMs / 1000 + 3600 });
  };
  beforeEach(() => { inner = new TableAuthServer(); channel = new InMemoryRetirementChannel(); nowMs = T0; });

  it('forgets a token another instance retired, by its hash, and only that one', async () => {
    const [here, elsewhere] = [make(), make()];
    grant('tok'); grant('other');
    for (const t of ['tok', 'other']) await here.introspect(t);
    inner.claims.delete('tok'); // retired at the server
    await channel.publish([{ tokenHash: hashOf('tok') }]); // by the other instance
    expect(await here.introspect('tok')).to.deep.equal({ active: false });
    expect((await here.introspect('other')).active).to.equal(true);
    expect(inner.calls).to.equal(3);
    expect(elsewhere.stats().size).to.equal(0);
  });

  it('forgets every token of a subject another instance retired', async () => {
    const cache = make();
    grant('a1', 'alice'); grant('a2', 'alice'); grant('b1', 'bob');
    for (const t of ['a1', 'a2', 'b1']) await cache.introspect(t);
    await channel.publish([{ subject: 'alice' }]);
    expect(cache.stats().size).to.equal(1);
  });

  it('does not cache an answer that was in flight when the retirement was heard', async () => {
    const cache = make();
    grant('tok');
    const racing = cache.introspect('tok');
    inner.claims.delete('tok');
    await channel.publish([{ tokenHash: hashOf('tok') }]);
    expect((await racing).active).to.equal(true); // read before the retirement
    expect(await cache.introspect('tok')).to.deep.equal({ active: false });
  });

  it('while deaf, empties itself and reuses no answer for more than 2 s; hearing again, empties itself once more', async () => {
    const cache = make();
    grant('old'); grant('tok');
    await cache.introspect('old');
    channel.goDeaf();
    expect(cache.stats().size).to.equal(0); // cached before: it may have missed a retirement since
    await cache.introspect('tok');
    nowMs += 1_900;
    await cache.introspect('tok');
    expect(inner.calls).to.equal(2);
    nowMs += 200;
    await cache.introspect('tok');
    expect(inner.calls).to.equal(3);
    channel.hearAgain();
    expect(cache.stats().size).to.equal(0);
    await cache.introspect('tok');
    nowMs += 200_000;
    await cache.introspect('tok');
    expect(inner.calls).to.equal(4); // listening: the whole TTL again
  });

  it('starts deaf when the channel is not listening yet, and keeps answers 2 s at most until it is', async () => {
    channel.goDeaf();
    const cache = make();
    grant('tok');
    await cache.introspect('tok');
    nowMs += 2_100;
    await cache.introspect('tok');
    expect(inner.calls).to.equal(2);
  });
});
