import { LRUCache } from 'lru-cache';
import type { Account, Credentials, Introspection, PasswordChange, ProofOfPossession, SignUp, TokenPair, TokenTypeHint } from '../../domain/account.js';
import type { AuthServer } from '../../ports/auth-server.js';
import type { RetirementChannel } from '../../ports/retirement-channel.js';
import { IntrospectionStore, keyOf } from './introspection-store.js';

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
  private readonly store: IntrospectionStore;
  private readonly inFlight = new Map<string, Promise<Introspection>>();
  /** sha256(refresh token) → sha256(its access token), for pairs issued through this instance. */
  private readonly accessKeyOfRefresh: LRUCache<string, string>;
  private readonly now: () => number;
  private counts = { hits: 0, misses: 0, negativeHits: 0 };

  constructor(private readonly inner: AuthServer, private readonly settings: IntrospectionCacheSettings) {
    this.now = settings.now ?? Date.now;
    this.store = new IntrospectionStore(settings, this.now);
    this.accessKeyOfRefresh = new LRUCache<string, string>({ max: Math.max(1, settings.maxEntries) });
    settings.retirements?.subscribe({
      retired: (r) => ('tokenHash' in r ? this.store.forget(r.tokenHash) : this.store.dropSubject(r.subject)),
      deaf: () => this.store.setDeaf(true),
      listening: () => this.store.setDeaf(false),
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
      if (replaced !== undefined) this.store.forget(replaced);
    }
  }
  ping(): Promise<void> { return this.inner.ping(); }

  async introspect(token: string): Promise<Introspection> {
    const observe = this.settings.observe;
    if (this.settings.ttlSeconds <= 0) { observe?.('off'); return this.inner.introspect(token); }
    const key = keyOf(token);
    const cached = this.store.get(key);
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
    const cached = this.store.peek(keyOf(accessToken));
    await this.inner.changePassword(accessToken, change);
    let subject = cached?.active ? cached.subject : undefined;
    if (subject === undefined) {
      const claims = await this.inner.introspect(accessToken).catch(() => undefined);
      subject = claims?.active ? claims.subject : undefined;
    }
    if (subject !== undefined) this.store.dropSubject(subject);
    this.store.forget(keyOf(accessToken));
  }

  /** Forgets the token, and the access token of a refresh token issued through this instance (other instances hear the retirement). */
  async revoke(token: string, hint?: TokenTypeHint): Promise<void> {
    try {
      await this.inner.revoke(token, hint);
    } finally {
      const key = keyOf(token);
      this.store.forget(key);
      const paired = this.accessKeyOfRefresh.get(key);
      if (paired !== undefined) this.store.forget(paired);
    }
  }

  dropSubject(subject: string): void {
    this.store.dropSubject(subject);
  }

  stats(): CacheStats {
    return { ...this.counts, size: this.store.size };
  }

  keys(): string[] {
    return this.store.keys();
  }

  private remember(pair: TokenPair): TokenPair {
    this.accessKeyOfRefresh.set(keyOf(pair.refreshToken), keyOf(pair.accessToken));
    return pair;
  }

  private async fetchAndStore(key: string, token: string): Promise<Introspection> {
    const generation = this.store.generation;
    const claims = await this.inner.introspect(token);
    const answer: Introspection = claims.active && claims.exp * 1000 <= this.now() ? { active: false } : claims;
    this.store.keep(key, answer, generation);
    return answer;
  }
}
