import { assertStaff, type Caller, type UserId, type UserRecord } from '../domain/account.js';
import { NotFound } from '../domain/errors.js';
import type { Deps } from '../ports/index.js';

/** Staff only: one user, with Gatehouse's flags and when they joined and were last seen. */
export async function getUser({ users }: Pick<Deps, 'users'>, caller: Caller, id: UserId): Promise<UserRecord> {
  assertStaff(caller);
  const found = await users.get(id);
  if (!found) throw new NotFound('user', id);
  const { subject: _subject, ...user } = found;
  return user;
}
