import type { AuthServer } from './auth-server.js';
import type { IdempotencyStore } from './idempotency-store.js';
import type { ItemRepository } from './item-repository.js';
import type { RetirementChannel } from './retirement-channel.js';
import type { TokenLedger } from './token-ledger.js';
import type { UserRepository } from './user-repository.js';

export type { AuthServer, IdempotencyStore, ItemRepository, RetirementChannel, TokenLedger, UserRepository };

/** Everything the use cases may touch. Each use case picks what it needs with `Pick<Deps, …>`. */
export interface Deps {
  authServer: AuthServer;
  users: UserRepository;
  items: ItemRepository;
  idempotency: IdempotencyStore;
  /** Tells every instance at once what to stop trusting: a token, or everything cached of a user. */
  retirements: RetirementChannel;
}
