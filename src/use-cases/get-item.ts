import { NotFound } from '../domain/errors.js';
import type { Item, ItemId } from '../domain/item.js';
import type { Deps } from '../ports/index.js';

/** Every authenticated caller may read every item. */
export async function getItem({ items }: Pick<Deps, 'items'>, id: ItemId): Promise<Item> {
  const item = await items.findById(id);
  if (!item) throw new NotFound('item', id);
  return item;
}
