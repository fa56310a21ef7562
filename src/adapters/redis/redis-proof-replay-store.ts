import { createRequire } from 'node:module';
import type { Redis } from 'ioredis';
import { DatabaseUnavailable } from '../../domain/errors.js';
import type { ProofReplayStore } from '../../ports/proof-replay-store.js';

// CommonJS, loaded only when REDIS_URL is set (as the rate-limit store does).
const require = createRequire(import.meta.url);

/**
 * DPoP jtis in Redis when REDIS_URL is set: `SET key 1 PXAT expiry NX` answers OK to exactly one
 * instance, and Redis forgets the key when no proof with that iat can be accepted any more. A Redis
 * that is down or slow fails the check (503): letting proofs through unchecked would let a stolen
 * proof be replayed, which is what the check is for.
 */
export class RedisProofReplayStore implements ProofReplayStore {
  private readonly redis: Redis;

  constructor(url: string) {
    const { Redis: RedisClient } = require('ioredis') as typeof import('ioredis');
    this.redis = new RedisClient(url, {
      enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: 500, connectTimeout: 1000,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    });
    this.redis.on('error', () => undefined); // a failed command answers 503; the client keeps reconnecting
  }

  async firstUse(key: string, expiresAt: Date): Promise<boolean> {
    try {
      return (await this.redis.set(`gatehouse:dpop:${key}`, '1', 'PXAT', Math.max(expiresAt.getTime(), Date.now() + 1), 'NX')) === 'OK';
    } catch (err) {
      throw new DatabaseUnavailable({ cause: err });
    }
  }

  close(): void {
    this.redis.disconnect();
  }
}
