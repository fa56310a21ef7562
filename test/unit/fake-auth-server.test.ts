import { withIntrospectionCache } from '../../src/adapters/auth/introspection-cache.js';
import type { AuthServer } from '../../src/ports/auth-server.js';
import { authServerContract, type AuthServerHarness } from '../contracts/auth-server-contract.js';
import { FakeAuthServer } from '../fakes/fake-auth-server.js';

// The unit tests stand on FakeAuthServer: it must keep the same contract as the real adapters.
// The contract compares `exp` with the wall clock, so here the fake runs on it.
const wallClock = () => Date.now() / 1000;
const TTL_S = 0.05;

function harness(wrap: (fake: AuthServer) => AuthServer) {
  return async (): Promise<AuthServerHarness> => ({
    server: wrap(new FakeAuthServer({ clock: wallClock })),
    close: async () => undefined,
    expiringServer: async () => ({
      server: wrap(new FakeAuthServer({ clock: wallClock, accessTokenTtlSeconds: TTL_S })), expiresWithinMs: TTL_S * 1000 + 50,
    }),
  });
}

describe('FakeAuthServer', () => {
  authServerContract('in-memory fake', harness((fake) => fake));
  authServerContract('in-memory fake behind the introspection cache', harness((fake) => withIntrospectionCache(fake, {
    ttlSeconds: 60, negativeTtlSeconds: 5, maxEntries: 1000,
  })));
});
