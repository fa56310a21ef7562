import type { Caller } from '../domain/account.js';
import { InvalidInput } from '../domain/errors.js';
import type { ListQuery, Ordering, Page, Position } from '../domain/item.js';
import type { Deps } from '../ports/index.js';

export interface ListRequest {
  limit: number;
  ordering: Ordering;
  from?: Position;
  onlyMine: boolean;
}

export async function listItems({ items }: Pick<Deps, 'items'>, caller: Caller, request: ListRequest): Promise<Page> {
  if (request.from && request.from.ordering !== request.ordering) {
    // A keyset cursor only means something in the order it was made for.
    throw new InvalidInput([{ parameter: 'cursor', message: 'was made for another ordering; start again without it' }]);
  }
  const query: ListQuery = { limit: request.limit, ordering: request.ordering };
  if (request.from) query.from = request.from;
  if (request.onlyMine) query.ownerId = caller.user.id;
  return items.list(query);
}
