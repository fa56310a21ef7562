import { createRequire } from 'node:module';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Limiters } from '../http/middleware/rate-limit.js';

// Loaded on first use, not at import: ioredis alone is ~100 ms of start-up, for nothing when rate
// limiting is off or counts in memory. Both are CommonJS, so `require` keeps createLimiters synchronous.
const require = createRequire(import.meta.url);

export interface RateLimitSettings {
  accountPerMinute: number;
  addressPerMinute: number;
  /** Shared counters for every instance using it; without, each instance counts alone. */
  redisUrl?: string;
}

/**
 * Fixed one-minute windows (rate-limiter-flexible: INCR + PEXPIRE in one atomic Redis script, or
 * a map in memory). Redis is asked with a short timeout and no offline queue, so a Redis that is
 * down or hangs costs a request at most 300 ms before it is let through (see `rateLimits`).
 */
export function createLimiters(settings: RateLimitSettings, logger: Logger): Limiters & { close(): Promise<void> } {
  const { RateLimiterMemory, RateLimiterRedis } = require('rate-limiter-flexible') as typeof import('rate-limiter-flexible');
  const windows = (storeClient?: Redis) => {
    const make = (points: number, prefix: string) => storeClient
      ? new RateLimiterRedis({ storeClient, points, duration: 60, keyPrefix: `gatehouse:rl:${prefix}`, rejectIfRedisNotReady: true })
      : new RateLimiterMemory({ points, duration: 60, keyPrefix: prefix });
    return { address: make(settings.addressPerMinute, 'address'), account: make(settings.accountPerMinute, 'account') };
  };
  if (!settings.redisUrl) return { ...windows(), close: async () => undefined };
  const { Redis: RedisClient } = require('ioredis') as typeof import('ioredis');
  const redis = new RedisClient(settings.redisUrl, {
    enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: 300, connectTimeout: 1000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000), // keep reconnecting, forever
  });
  let lastError = '';
  redis.on('error', (err: Error) => { // unhandled, ioredis prints each failed reconnect to stderr
    if (err.message !== lastError) logger.warn({ err: { name: err.name, message: err.message } }, 'redis connection problem');
    lastError = err.message;
  });
  redis.on('ready', () => { lastError = ''; });
  return { ...windows(redis), close: async () => { redis.disconnect(); } };
}
