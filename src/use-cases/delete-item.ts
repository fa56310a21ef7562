import type { Caller } from '../domain/account.js';
import type { ItemId } from '../domain/item.js';
import type { Deps } from '../ports/index.js';
import { assertOwner } from './update-item.js';

export async function deleteItem(
  { items }: Pick<Deps, 'items'>, caller: Caller, id: ItemId, expectedVersion?: number,
): Promise<void> {
  await assertOwner({ items }, caller, id);
  await items.delete(id, expectedVersion);
}
