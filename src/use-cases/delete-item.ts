import type { Caller } from '../domain/account.js';
import { assertOwner, type ItemId } from '../domain/item.js';
import type { Deps } from '../ports/index.js';
import { getItem } from './get-item.js';

export async function deleteItem(
  { items }: Pick<Deps, 'items'>, caller: Caller, id: ItemId, expectedVersion?: number,
): Promise<void> {
  assertOwner(await getItem({ items }, id), caller);
  await items.delete(id, expectedVersion);
}
