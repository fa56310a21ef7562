import { LRUCache } from 'lru-cache';
import type { Introspection } from '../../domain/account.js';
import { SubjectIndex } from './subject-index.js';
import { tokenHash } from './token-hash.js';

/** A token's key in the cache: sha256(token), so a heap dump shows no usable token. */
export function keyOf(token: string): string {
  return tokenHash(token);
}

export interface IntrospectionStoreSettings {
  /** How long an active answer is kept; see IntrospectionCacheSettings. */
  ttlSeconds: number;
  negativeTtlSeconds: number;
  maxEntries: number;
  deafTtlSeconds?: number;
}

/**
 * The answers the introspection cache keeps, by token key, and the ways to forget them: one token,
 * every token of a subject, everything. Each forgetting starts a new `generation`, and an answer
 * fetched across one is not kept (`keep`): it may be of a token retired meanwhile. While deaf (the
 * retirement channel is down), answers live `deafTtlSeconds` at most. What the token operations
 * forget, and when, is the cache's (introspection-cache.ts).
 */
export class IntrospectionStore {
  private readonly cache: LRUCache<string, Introspection>;
  private readonly bySubject = new SubjectIndex();
  private deaf = false;
  /** Bumped by every forgetting. */
  generation = 0;

  constructor(private readonly settings: IntrospectionStoreSettings, now: () => number) {
    this.cache = new LRUCache<string, Introspection>({
      max: Math.max(1, settings.maxEntries),
      perf: { now },
      ttlResolution: 0, // an injected clock jumps; never reuse a "now" read earlier
      dispose: (claims, key) => { if (claims.active) this.bySubject.remove(claims.subject, key); },
    });
  }

  get(key: string): Introspection | undefined { return this.cache.get(key); }
  /** Without touching its recency. */
  peek(key: string): Introspection | undefined { return this.cache.peek(key); }
  get size(): number { return this.cache.size; }
  keys(): string[] { return [...this.cache.keys()]; }

  /** Keeps an answer fetched at `generation`, unless something was forgotten since. */
  keep(key: string, answer: Introspection, generation: number): void {
    if (generation !== this.generation) return; // invalidated while we waited: do not cache
    if (answer.active) {
      // Kept for the whole TTL even when exp comes first: past exp a hit answers inactive without a call.
      this.cache.set(key, answer, { ttl: this.ttlMs(this.settings.ttlSeconds) });
      this.bySubject.add(answer.subject, key);
    } else if (this.settings.negativeTtlSeconds > 0) {
      this.cache.set(key, answer, { ttl: this.ttlMs(this.settings.negativeTtlSeconds) });
    }
  }

  forget(key: string): void {
    this.generation++;
    this.cache.delete(key);
  }

  dropSubject(subject: string): void {
    this.generation++;
    for (const key of this.bySubject.take(subject)) this.cache.delete(key);
  }

  /** Going deaf and hearing again both empty the store: nothing kept is trusted past a retirement it may have missed. */
  setDeaf(deaf: boolean): void {
    this.deaf = deaf;
    this.generation++;
    this.cache.clear();
  }

  private ttlMs(seconds: number): number {
    return 1000 * (this.deaf ? Math.min(seconds, this.settings.deafTtlSeconds ?? 2) : seconds);
  }
}
