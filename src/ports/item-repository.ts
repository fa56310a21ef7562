import type { UserId } from '../domain/account.js';
import type { Item, ItemChange, ItemDraft, ItemId, ListQuery, Page } from '../domain/item.js';

/** Every method may throw DatabaseUnavailable. */
export interface ItemRepository {
  /** @throws NameTaken */
  insert(draft: ItemDraft, ownerId: UserId): Promise<Item>;

  findById(id: ItemId): Promise<Item | undefined>;

  /**
   * Applies the change and bumps the version. With `expectedVersion`, only if the stored version
   * still equals it (compare-and-set in one statement).
   * @throws NotFound, NameTaken, VersionMismatch
   */
  update(id: ItemId, change: ItemChange, expectedVersion?: number): Promise<Item>;

  /** @throws NotFound, VersionMismatch */
  delete(id: ItemId, expectedVersion?: number): Promise<void>;

  /** Keyset pagination: the cost of a page does not depend on how deep it is. */
  list(query: ListQuery): Promise<Page>;
}
