import type { Caller } from '../domain/account.js';
import type { Item } from '../domain/item.js';
import { normalizePrice } from '../domain/price.js';
import type { Deps } from '../ports/index.js';

export interface ItemInput {
  name: string;
  description: string;
  price: string | number;
}

export async function createItem({ items }: Pick<Deps, 'items'>, caller: Caller, input: ItemInput): Promise<Item> {
  return items.insert(
    { name: input.name, description: input.description, price: normalizePrice(input.price) },
    caller.user.id,
  );
}
