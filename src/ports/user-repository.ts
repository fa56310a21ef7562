import type { Account, User } from '../domain/account.js';

/** Users mirrored from the authorization server, so items can reference a local id. */
export interface UserRepository {
  /**
   * The local user for this account, created on first sight; the email is refreshed if it changed.
   * Safe under concurrency: concurrent first calls for one subject create one user.
   * @throws DatabaseUnavailable
   */
  mirror(account: Account): Promise<User>;
}
