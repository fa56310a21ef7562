import { Redis } from 'ioredis';

/** Whether the machine's Redis on 127.0.0.1:6379 answers, for suites that need it (see requireService). */
export async function redisAvailable(): Promise<boolean> {
  const redis = new Redis('redis://127.0.0.1:6379', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try { await redis.connect(); return (await redis.ping()) === 'PONG'; } catch { return false; } finally { redis.disconnect(); }
}
