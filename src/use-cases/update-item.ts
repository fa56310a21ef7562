import type { Caller } from '../domain/account.js';
import { assertMayChange, type Item, type ItemChange, type ItemId } from '../domain/item.js';
import { normalizePrice } from '../domain/price.js';
import type { Deps } from '../ports/index.js';
import { getItem } from './get-item.js';

export interface ItemUpdate {
  name?: string;
  description?: string;
  price?: string | number;
}

/**
 * PUT and PATCH alike: the route guarantees PUT carries every field. Without `expectedVersion`
 * the change applies to whatever is stored (the owner cannot change, so the check stays valid).
 */
export async function updateItem(
  { items }: Pick<Deps, 'items'>, caller: Caller, id: ItemId, update: ItemUpdate, expectedVersion?: number,
): Promise<Item> {
  assertMayChange(await getItem({ items }, id), caller);
  const change: ItemChange = {};
  if (update.name !== undefined) change.name = update.name;
  if (update.description !== undefined) change.description = update.description;
  if (update.price !== undefined) change.price = normalizePrice(update.price);
  return items.update(id, change, expectedVersion);
}
