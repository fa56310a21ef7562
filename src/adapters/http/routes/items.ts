import type { Item } from '../../../domain/item.js';
import { createItem } from '../../../use-cases/create-item.js';
import { deleteItem } from '../../../use-cases/delete-item.js';
import { getItem } from '../../../use-cases/get-item.js';
import { listItems } from '../../../use-cases/list-items.js';
import { updateItem } from '../../../use-cases/update-item.js';
import type { Ctx, RouteDeps } from '../state.js';
import type { Caller } from '../../../domain/account.js';
import type { ListItemsQuery } from '../contract/operations.js';
import type { Route } from '../contract/route.js';
import { itemCursor } from '../reading/cursor.js';
import { pageLink } from '../answers/page-link.js';
import { idempotently } from '../middleware/idempotency.js';
import { etagOf, ifNoneMatchHits, itemBody, versionFromIfMatch } from '../answers/wire.js';

export function itemRoutes(route: Route, r: RouteDeps): void {
  const { items } = r.deps;
  const itemsUrl = `${r.publicUrl}/items/`; // PUBLIC_URL, never the Host header: a client cannot steer the links

  route('listItems', async ({ query, caller }) => {
    const q = query as ListItemsQuery;
    const page = await listItems({ items }, caller, {
      limit: q.limit, ordering: q.ordering, onlyMine: q.owner === 'me',
      ...(q.cursor ? { from: itemCursor.decode(q.cursor) } : {}),
    });
    const link = (cursor: string) => pageLink(itemsUrl, q, cursor);
    return { status: 200, body: {
      next: page.next ? link(itemCursor.encode(page.next)) : null,
      previous: page.previous ? link(itemCursor.encode(page.previous)) : null,
      results: page.items.map(itemBody),
    } };
  });

  route('createItem', async ({ body, caller, ctx }) =>
    idempotently(r.deps.idempotency, ctx, caller.user.id, 'createItem', body, async () => {
      const item = await createItem({ items }, caller, body);
      return { status: 201 as const, body: itemBody(item), headers: { Location: `/items/${item.id}/`, ...versioned(item) } };
    }));

  route('getItem', async ({ params, ctx }) => {
    const item = await getItem({ items }, params.id);
    // A client that holds this version already gets no body (RFC 9110 §15.4.5), after the same checks as a 200.
    if (ifNoneMatchHits(ctx.get('If-None-Match') || undefined, etagOf(item))) return { status: 304, body: undefined, headers: versioned(item) };
    return { status: 200, body: itemBody(item), headers: versioned(item) };
  });

  route('replaceItem', async ({ params, body, caller, ctx }) => {
    const item = await updateItem({ items }, caller, params.id, body, versionFromIfMatch(ctx.get('If-Match') || undefined));
    auditStaffChange(ctx, caller, 'replaceItem', item);
    return { status: 200, body: itemBody(item), headers: versioned(item) };
  });

  route('updateItem', async ({ params, body, caller, ctx }) => {
    const item = await updateItem({ items }, caller, params.id, body, versionFromIfMatch(ctx.get('If-Match') || undefined));
    auditStaffChange(ctx, caller, 'updateItem', item);
    return { status: 200, body: itemBody(item), headers: versioned(item) };
  });

  route('deleteItem', async ({ params, caller, ctx }) => {
    const deleted = await deleteItem({ items }, caller, params.id, versionFromIfMatch(ctx.get('If-Match') || undefined));
    auditStaffChange(ctx, caller, 'deleteItem', deleted);
    return { status: 204, body: undefined };
  });
}

const versioned = (item: Item) => ({ ETag: etagOf(item) });

/** Staff changing someone else's item is an admin change: one audit line (who, what, whose, which version). */
function auditStaffChange(ctx: Ctx, caller: Caller, action: string, item: Item): void {
  if (item.owner.id === caller.user.id) return;
  ctx.state.log.info({ audit: { actor: caller.user.id, action, target: { item: item.id, owner: item.owner.id }, version: item.version } }, 'admin change');
}
