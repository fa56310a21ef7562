import { KyselyProofReplayStore } from '../../src/adapters/db/kysely-proof-replay-store.js';
import { RedisProofReplayStore } from '../../src/adapters/redis/redis-proof-replay-store.js';
import { proofReplayStoreContract } from '../contracts/proof-replay-store-contract.js';
import { InMemoryProofReplayStore } from '../fakes/in-memory-proof-replay-store.js';
import { requireService } from '../support/availability.js';
import { openedFreshPostgres } from '../support/postgres.js';
import { redisAvailable } from '../support/redis.js';

proofReplayStoreContract('in-memory fake', async () => {
  const store = new InMemoryProofReplayStore();
  return { stores: [store, store], close: async () => undefined };
});

describe('ProofReplayStore on the machine PostgreSQL', () => {
  const database = openedFreshPostgres();
  proofReplayStoreContract('Kysely + PostgreSQL', async () => ({
    stores: [new KyselyProofReplayStore(database().db), new KyselyProofReplayStore(database().db)], close: async () => undefined,
  }));
});

describe('ProofReplayStore on the machine Redis', () => {
  before(async function () { requireService(this, await redisAvailable(), 'Redis on 127.0.0.1:6379'); });
  proofReplayStoreContract('Redis', async () => {
    const stores = [new RedisProofReplayStore('redis://127.0.0.1:6379'), new RedisProofReplayStore('redis://127.0.0.1:6379')] as const;
    await Promise.all(stores.map(connected));
    return { stores: [...stores], close: async () => { for (const s of stores) s.close(); } };
  });
});

/** The store queues nothing while it connects (a command then fails at once): wait until it answers. */
async function connected(store: RedisProofReplayStore): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      await store.firstUse(`contract-warm-up-${Math.random()}`, new Date(Date.now() + 1000));
      return;
    } catch (err) {
      if (i >= 40) throw err;
      await new Promise((done) => setTimeout(done, 50));
    }
  }
}
