import { assertStaff, type Caller } from '../domain/account.js';
import type { Deps } from '../ports/index.js';
import type { UserListQuery, UserPage } from '../ports/user-repository.js';

/** Staff only: a page of users, searched and filtered. */
export async function listUsers({ users }: Pick<Deps, 'users'>, caller: Caller, query: UserListQuery): Promise<UserPage> {
  assertStaff(caller);
  return users.list(query);
}
