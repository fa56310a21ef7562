import type { Caller, User, UserId } from './account.js';
import { NotOwner } from './errors.js';

export type ItemId = number;

export interface Item {
  id: ItemId;
  name: string;
  description: string;
  /** A decimal with exactly two places, as text ("12.50"): money never passes through a float. */
  price: string;
  owner: User;
  /** Bumped on every change; the HTTP adapter exposes it as the ETag. */
  version: number;
}

export interface ItemDraft {
  name: string;
  description: string;
  price: string;
}

export type ItemChange = Partial<ItemDraft>;

export const ORDERINGS = ['id', '-id', 'name', '-name', 'price', '-price'] as const;
export type Ordering = (typeof ORDERINGS)[number];

/** Where a keyset page starts: just after (or before) the row with this sort key and id. */
export interface Position {
  ordering: Ordering;
  key: string | number;
  id: ItemId;
  direction: 'after' | 'before';
}

export interface ListQuery {
  limit: number;
  ordering: Ordering;
  from?: Position;
  ownerId?: UserId;
}

export interface Page {
  items: Item[];
  /** Present when there is a page after / before this one. */
  next?: Position;
  previous?: Position;
}

/**
 * Every authenticated caller may read every item; only its owner may change or delete it, and
 * staff, who may change or delete any (the owner stays the owner).
 */
export function assertMayChange(item: Item, caller: Caller): void {
  if (item.owner.id !== caller.user.id && !caller.user.isStaff) throw new NotOwner(item.id);
}
