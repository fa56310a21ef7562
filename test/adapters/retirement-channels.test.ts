import { PostgresRetirementChannel } from '../../src/adapters/db/postgres-retirement-channel.js';
import { retirementChannelContract } from '../contracts/retirement-channel-contract.js';
import { InMemoryRetirementChannel } from '../fakes/in-memory-retirement-channel.js';
import { openedFreshPostgres } from '../support/postgres.js';

retirementChannelContract('in-memory fake', async () => {
  const channel = new InMemoryRetirementChannel();
  return { channels: [channel, channel], close: async () => undefined };
});

describe('RetirementChannel on the machine PostgreSQL', () => {
  const database = openedFreshPostgres();
  retirementChannelContract('PostgreSQL LISTEN/NOTIFY', async () => {
    const { db, url } = database();
    const quiet = { info: () => undefined, warn: () => undefined };
    const channels = [0, 1].map(() => new PostgresRetirementChannel({ connectionString: url, db, log: quiet }));
    await Promise.all(channels.map((c) => c.start()));
    return { channels: [channels[0]!, channels[1]!], close: async () => { for (const c of channels) await c.close(); } };
  });
});
