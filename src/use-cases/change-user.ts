import { assertNotLockingOut, assertStaff, type Caller, type UserFlags, type UserId, type UserRecord } from '../domain/account.js';
import { NotFound } from '../domain/errors.js';
import type { Deps } from '../ports/index.js';

export interface UserChange {
  before: UserRecord;
  after: UserRecord;
}

/**
 * Staff only: sets a user's staff and active flags. Every instance hears of it at once (the same
 * channel as token retirement), so a deactivated user's next request is refused everywhere, and a
 * reactivated or re-flagged one is read afresh.
 */
export async function changeUser(
  { users, retirements }: Pick<Deps, 'users' | 'retirements'>, caller: Caller, id: UserId, change: Partial<UserFlags>,
): Promise<UserChange> {
  assertStaff(caller);
  assertNotLockingOut(caller, id, change);
  return setUserFlags({ users, retirements }, id, change);
}

/** The change itself, for staff through the API and for the operator's command line alike. */
export async function setUserFlags(
  { users, retirements }: Pick<Deps, 'users' | 'retirements'>, id: UserId, change: Partial<UserFlags>,
): Promise<UserChange> {
  const changed = await users.setFlags(id, change);
  if (!changed) throw new NotFound('user', id);
  await retirements.publish([{ subject: changed.subject }]);
  return { before: changed.before, after: changed.after };
}
