import type { Caller } from '../domain/account.js';
import { assertMayChange, type Item, type ItemId } from '../domain/item.js';
import type { Deps } from '../ports/index.js';
import { getItem } from './get-item.js';

export async function deleteItem(
  { items }: Pick<Deps, 'items'>, caller: Caller, id: ItemId, expectedVersion?: number,
): Promise<Item> {
  const item = await getItem({ items }, id);
  assertMayChange(item, caller);
  await items.delete(id, expectedVersion);
  return item; // as it was: whose it was, for the audit of a staff deletion
}
