import { assertNotLockingOut, assertStaff, type Caller, type UserFlags, type UserId, type UserRecord } from '../domain/account.js';
import { NotFound } from '../domain/errors.js';
import { assertKeepsASuperuser, assertMayChange } from '../domain/superusers.js';
import type { Deps } from '../ports/index.js';
import type { FlagCheck } from '../ports/user-repository.js';

export interface UserChange {
  before: UserRecord;
  after: UserRecord;
}

/**
 * Staff only: sets a user's staff and active flags, within what the caller may change (staff:
 * ordinary users' active flag; superusers: everything but `is_superuser`), never leaving no active
 * superuser. The rules on the target run on its row as it is when the change is made, other
 * superusers' rows locked. Every instance hears of the change at once (the same channel as token
 * retirement), so a deactivated user's next request is refused everywhere, and a reactivated or
 * re-flagged one is read afresh.
 */
export async function changeUser(
  { users, retirements }: Pick<Deps, 'users' | 'retirements'>, caller: Caller, id: UserId, change: Partial<UserFlags>,
): Promise<UserChange> {
  assertStaff(caller);
  assertNotLockingOut(caller, id, change);
  return setUserFlags({ users, retirements }, id, change, (target, otherActiveSuperusers) => {
    assertMayChange(caller.user, target, change);
    assertKeepsASuperuser(target, change, otherActiveSuperusers);
  });
}

/** The change itself, for staff through the API (with its rules as `check`) and for the operator's command line alike. */
export async function setUserFlags(
  { users, retirements }: Pick<Deps, 'users' | 'retirements'>, id: UserId, change: Partial<UserFlags>, check?: FlagCheck,
): Promise<UserChange> {
  const changed = await users.setFlags(id, change, check);
  if (!changed) throw new NotFound('user', id);
  await retirements.publish([{ subject: changed.subject }]);
  return { before: changed.before, after: changed.after };
}

/** A user's flags as the audit line writes them (API and command line alike): the wire's names. */
export function auditedFlags(user: UserRecord): { is_staff: boolean; is_active: boolean; is_superuser: boolean } {
  return { is_staff: user.isStaff, is_active: user.isActive, is_superuser: user.isSuperuser };
}
