import type { Member, UserFlags } from './account.js';
import { LastSuperuser, NotSuperuser } from './errors.js';

/** A superuser who can act as one: staff (administration is for staff) and active. */
export function isActiveSuperuser(user: UserFlags): boolean {
  return user.isSuperuser && user.isStaff && user.isActive;
}

/**
 * Django's admin as the model: there, only a superuser edits permissions, since whoever may set
 * `is_staff` can make anyone an administrator. So staff who are not superusers may deactivate and
 * activate ordinary users only; who is staff, and anything about staff or superusers, is for
 * superusers. `is_superuser` itself is never changed through the API.
 */
export function assertMayChange(actor: Member, target: UserFlags, change: Partial<UserFlags>): void {
  if (actor.isSuperuser) return;
  if (change.isStaff !== undefined || change.isSuperuser !== undefined) {
    throw new NotSuperuser('only a superuser may grant or remove the staff flag');
  }
  if (target.isStaff || target.isSuperuser) {
    throw new NotSuperuser('only a superuser may change a staff member or a superuser');
  }
}

/**
 * The API never leaves no active superuser: the command line would be the only way back. Called
 * with `others` counted while their rows are locked, so two superusers demoting each other at once
 * cannot both pass.
 */
export function assertKeepsASuperuser(target: Member, change: Partial<UserFlags>, others: number): void {
  if (others > 0 || !isActiveSuperuser(target)) return;
  if (!isActiveSuperuser({ ...target, ...change })) throw new LastSuperuser(target.id);
}
