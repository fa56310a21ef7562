import type { Account, Member, UserFlags, UserId, UserRecord } from '../domain/account.js';

/** Users mirrored from the authorization server, so items can reference a local id, and Gatehouse's own flags on them. */
export interface UserRepository {
  /**
   * The local user for this account, created on first sight (active, not staff); the email is
   * refreshed if it changed. Safe under concurrency: concurrent first calls for one subject create
   * one user. Also notes that the user was just seen.
   * @throws DatabaseUnavailable
   */
  mirror(account: Account): Promise<Member>;

  /** The user with this (normalised) email, if Gatehouse has seen one. */
  findByEmail(email: string): Promise<Member & { subject: string } | undefined>;

  /** The user whose account at the authorization server is `subject`, if Gatehouse has seen it. */
  findBySubject(subject: string): Promise<Member | undefined>;

  /** One user as staff see it. */
  get(id: UserId): Promise<(UserRecord & { subject: string }) | undefined>;

  /** A page of users for staff, keyset-paginated like items. */
  list(query: UserListQuery): Promise<UserPage>;

  /**
   * Sets flags; answers the user before and after (undefined when there is no such user). `check`
   * runs first, in the same transaction, with the user as it is now and the number of other active
   * superusers (superuser, staff, active), their rows locked until the change commits: what it
   * throws cancels the change, and no concurrent change of a superuser can slip in between.
   * @throws DatabaseUnavailable, or what `check` throws
   */
  setFlags(id: UserId, change: Partial<UserFlags>, check?: FlagCheck): Promise<{ before: UserRecord; after: UserRecord; subject: string } | undefined>;
}

/** A rule on a flag change, given the target as it is and how many other active superusers there are. */
export type FlagCheck = (target: UserRecord, otherActiveSuperusers: number) => void;

export const USER_ORDERINGS = ['email', '-email', 'id', '-id'] as const;
export type UserOrdering = (typeof USER_ORDERINGS)[number];

/** Where a page starts: just after (or before) the user with this sort key and id. */
export interface UserPosition {
  ordering: UserOrdering;
  key: string | number;
  id: UserId;
  direction: 'after' | 'before';
}

export interface UserListQuery {
  limit: number;
  ordering: UserOrdering;
  from?: UserPosition;
  /** Case-insensitive substring of the email. */
  search?: string;
  isStaff?: boolean;
  isActive?: boolean;
  isSuperuser?: boolean;
}

export interface UserPage {
  users: UserRecord[];
  next?: UserPosition;
  previous?: UserPosition;
}
