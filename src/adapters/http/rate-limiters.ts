import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import type { Limiters } from './rate-limit.js';

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
  const windows = (storeClient?: Redis) => {
    const make = (points: number, prefix: string) => storeClient
      ? new RateLimiterRedis({ storeClient, points, duration: 60, keyPrefix: `gatehouse:rl:${prefix}`, rejectIfRedisNotReady: true })
      : new RateLimiterMemory({ points, duration: 60, keyPrefix: prefix });
    return { address: make(settings.addressPerMinute, 'address'), account: make(settings.accountPerMinute, 'account') };
  };
  if (!settings.redisUrl) return { ...windows(), close: async () => undefined };
  const redis = new Redis(settings.redisUrl, {
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
