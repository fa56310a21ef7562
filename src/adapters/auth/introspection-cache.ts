import { LRUCache } from 'lru-cache';
import type { Account, Credentials, Introspection, PasswordChange, ProofOfPossession, SignUp, TokenPair, TokenTypeHint } from '../../domain/account.js';
import type { AuthServer } from '../../ports/auth-server.js';
import type { RetirementChannel } from '../../ports/retirement-channel.js';
import { SubjectIndex } from './subject-index.js';
import { tokenHash } from './token-hash.js';

export interface IntrospectionCacheSettings {
  /** How long an active answer may be reused (capped by the token's own `exp`); 0 turns the cache off. */
  ttlSeconds: number;
  /** How long an inactive answer is reused, so a junk token cannot hammer the auth server. */
  negativeTtlSeconds: number;
  maxEntries: number;
  /** Retirements published by any instance: each is forgotten here at once. Without it, only this instance's own. */
  retirements?: RetirementChannel;
  /** While the channel is deaf, no answer is reused for longer than this (default 2 s). */
  deafTtlSeconds?: number;
  /** Told how each look-up was answered, for the trace of the request that asked; the call costs nothing when unset. */
  observe?: (answer: CacheAnswer) => void;
  /** Milliseconds; injectable so tests can move time. */
  now?: () => number;
}

/** From the cache (hit: active, negative: inactive or expired), joined to a call in flight, a call of its own (miss), or not cached at all (TTL 0). */
export type CacheAnswer = 'hit' | 'negative' | 'join' | 'miss' | 'off';

export interface CacheStats { hits: number; misses: number; negativeHits: number; size: number }

export type CachedAuthServer = AuthServer & {
  /** Forgets every cached token of this subject (after a password change, say). */
  dropSubject(subject: string): void;
  stats(): CacheStats;
  /** The cache keys, for tests that check no token is kept in clear. */
  keys(): string[];
};

export function withIntrospectionCache(inner: AuthServer, settings: IntrospectionCacheSettings): CachedAuthServer {
  return new IntrospectionCache(inner, settings);
}

/**
 * Keys are sha256(token): a heap dump shows no usable token. Concurrent look-ups of one uncached
 * token share one call; a failure is not cached. A revocation or dropSubject while a call is in
 * flight keeps that call's answer out of the cache, so a revoked token is never cached as active.
 * Retirements heard on the channel are forgotten the same way. While the channel is deaf, answers
 * live `deafTtlSeconds` at most, and the cache is emptied when it goes deaf and when it hears
 * again: nothing cached is trusted past a retirement it may have missed.
 */
class IntrospectionCache implements AuthServer {
  private readonly cache: LRUCache<string, Introspection>;
  private readonly bySubject = new SubjectIndex();
  private readonly inFlight = new Map<string, Promise<Introspection>>();
  /** sha256(refresh token) → sha256(its access token), for pairs issued through this instance. */
  private readonly accessKeyOfRefresh: LRUCache<string, string>;
  private readonly now: () => number;
  private generation = 0; // bumped by every invalidation
  private counts = { hits: 0, misses: 0, negativeHits: 0 };
  private deaf = false;

  constructor(private readonly inner: AuthServer, private readonly settings: IntrospectionCacheSettings) {
    this.now = settings.now ?? Date.now;
    this.cache = new LRUCache<string, Introspection>({
      max: Math.max(1, settings.maxEntries),
      perf: { now: this.now },
      ttlResolution: 0, // an injected clock jumps; never reuse a "now" read earlier
      dispose: (claims, key) => { if (claims.active) this.bySubject.remove(claims.subject, key); },
    });
    this.accessKeyOfRefresh = new LRUCache<string, string>({ max: Math.max(1, settings.maxEntries) });
    settings.retirements?.subscribe({
      retired: (r) => ('tokenHash' in r ? this.forget(r.tokenHash) : this.dropSubject(r.subject)),
      deaf: () => { this.deaf = true; this.clear(); },
      listening: () => { this.deaf = false; this.clear(); },
    });
  }

  signUp(input: SignUp): Promise<Account> { return this.inner.signUp(input); }

  async issueToken(credentials: Credentials): Promise<TokenPair> {
    return this.remember(await this.inner.issueToken(credentials));
  }

  /** A refresh replaces the access token issued with this refresh token: forget that one if we know it. */
  async refresh(refreshToken: string, proof?: ProofOfPossession): Promise<TokenPair> {
    const refreshKey = keyOf(refreshToken);
    try {
      return this.remember(await this.inner.refresh(refreshToken, proof));
    } finally {
      const replaced = this.accessKeyOfRefresh.get(refreshKey);
      this.accessKeyOfRefresh.delete(refreshKey);
      if (replaced !== undefined) this.forget(replaced);
    }
  }
  ping(): Promise<void> { return this.inner.ping(); }

  async introspect(token: string): Promise<Introspection> {
    const observe = this.settings.observe;
    if (this.settings.ttlSeconds <= 0) { observe?.('off'); return this.inner.introspect(token); }
    const key = keyOf(token);
    const cached = this.cache.get(key);
    if (cached) {
      // The token's own expiry beats the cache's: checked on every hit.
      if (!cached.active || cached.exp * 1000 <= this.now()) {
        this.counts.negativeHits++;
        observe?.('negative');
        return { active: false };
      }
      this.counts.hits++;
      observe?.('hit');
      return cached;
    }
    const pending = this.inFlight.get(key);
    if (pending) { observe?.('join'); return pending; }
    this.counts.misses++;
    observe?.('miss');
    const call = this.fetchAndStore(key, token).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, call);
    return call;
  }

  async changePassword(accessToken: string, change: PasswordChange): Promise<void> {
    const cached = this.cache.peek(keyOf(accessToken));
    await this.inner.changePassword(accessToken, change);
    let subject = cached?.active ? cached.subject : undefined;
    if (subject === undefined) {
      const claims = await this.inner.introspect(accessToken).catch(() => undefined);
      subject = claims?.active ? claims.subject : undefined;
    }
    if (subject !== undefined) this.dropSubject(subject);
    this.forget(keyOf(accessToken));
  }

  /** Forgets the token, and the access token of a refresh token issued through this instance (other instances hear the retirement). */
  async revoke(token: string, hint?: TokenTypeHint): Promise<void> {
    try {
      await this.inner.revoke(token, hint);
    } finally {
      const key = keyOf(token);
      this.forget(key);
      const paired = this.accessKeyOfRefresh.get(key);
      if (paired !== undefined) this.forget(paired);
    }
  }

  dropSubject(subject: string): void {
    this.generation++;
    for (const key of this.bySubject.take(subject)) this.cache.delete(key);
  }

  stats(): CacheStats {
    return { ...this.counts, size: this.cache.size };
  }

  keys(): string[] {
    return [...this.cache.keys()];
  }

  private clear(): void {
    this.generation++;
    this.cache.clear();
  }

  private forget(key: string): void {
    this.generation++;
    this.cache.delete(key);
  }

  private remember(pair: TokenPair): TokenPair {
    this.accessKeyOfRefresh.set(keyOf(pair.refreshToken), keyOf(pair.accessToken));
    return pair;
  }

  private async fetchAndStore(key: string, token: string): Promise<Introspection> {
    const generation = this.generation;
    const claims = await this.inner.introspect(token);
    const nowMs = this.now();
    const answer: Introspection = claims.active && claims.exp * 1000 <= nowMs ? { active: false } : claims;
    if (generation !== this.generation) return answer; // invalidated while we waited: do not cache
    if (answer.active) {
      // Kept for the whole TTL even when exp comes first: past exp a hit answers inactive without a call.
      this.cache.set(key, answer, { ttl: this.ttlMs(this.settings.ttlSeconds) });
      this.bySubject.add(answer.subject, key);
    } else if (this.settings.negativeTtlSeconds > 0) {
      this.cache.set(key, answer, { ttl: this.ttlMs(this.settings.negativeTtlSeconds) });
    }
    return answer;
  }

  private ttlMs(seconds: number): number {
    return 1000 * (this.deaf ? Math.min(seconds, this.settings.deafTtlSeconds ?? 2) : seconds);
  }
}

function keyOf(token: string): string {
  return tokenHash(token);
}
