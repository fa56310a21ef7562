import Router from '@koa/router';
import { NotFound } from '../../../domain/errors.js';
import type { Ordering } from '../../../domain/item.js';
import { createItem, type ItemInput } from '../../../use-cases/create-item.js';
import { deleteItem } from '../../../use-cases/delete-item.js';
import { getItem } from '../../../use-cases/get-item.js';
import { listItems } from '../../../use-cases/list-items.js';
import { updateItem, type ItemUpdate } from '../../../use-cases/update-item.js';
import { bodyOf, callerOf, idOf, paths, queryOf, type AppState, type Ctx, type RouteDeps } from '../context.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { idempotently } from '../idempotency.js';
import { etagOf, itemBody, versionFromIfMatch } from '../wire.js';

interface ListQueryWire { limit: number; cursor?: string; owner?: 'me'; ordering: Ordering }

export function itemRoutes(router: Router<AppState>, r: RouteDeps): void {
  const { items } = r.deps;

  router.get(paths('/items/'), async (ctx: Ctx) => {
    const caller = await callerOf(r, ctx, 'read');
    const q = queryOf<ListQueryWire>(r, ctx, 'listItems');
    const page = await listItems({ items }, caller, {
      limit: q.limit, ordering: q.ordering, onlyMine: q.owner === 'me',
      ...(q.cursor ? { from: decodeCursor(q.cursor) } : {}),
    });
    const base = `${r.publicUrl}/items/`; // PUBLIC_URL, never the Host header: a client cannot steer the links
    const link = (cursor: string) => {
      let search = ''; // what url.searchParams.set() would write, in the same order and encoding
      for (const [k, v] of Object.entries(q)) if (k !== 'cursor' && v !== undefined) search += `${formEncode(k)}=${formEncode(String(v))}&`;
      return `${base}?${search}cursor=${formEncode(cursor)}`;
    };
    ctx.body = {
      next: page.next ? link(encodeCursor(page.next)) : null,
      previous: page.previous ? link(encodeCursor(page.previous)) : null,
      results: page.items.map(itemBody),
    };
  });

  router.post(paths('/items/'), async (ctx: Ctx) => {
    const caller = await callerOf(r, ctx, 'write');
    const input = await bodyOf<ItemInput>(r, ctx, 'createItem');
    await idempotently(r.deps.idempotency, ctx, caller.user.id, 'createItem', input, async () => {
      const item = await createItem({ items }, caller, input);
      ctx.status = 201;
      ctx.set('Location', `/items/${item.id}/`);
      ctx.set('ETag', etagOf(item));
      ctx.body = itemBody(item);
    });
  });

  router.get(paths('/items/:id/'), async (ctx: Ctx) => {
    await callerOf(r, ctx, 'read');
    const item = await getItem({ items }, existingId(ctx));
    ctx.set('ETag', etagOf(item));
    ctx.body = itemBody(item);
  });

  const update = (operationId: 'replaceItem' | 'updateItem') => async (ctx: Ctx) => {
    const caller = await callerOf(r, ctx, 'write');
    const id = existingId(ctx);
    const change = await bodyOf<ItemUpdate>(r, ctx, operationId);
    const item = await updateItem({ items }, caller, id, change, versionFromIfMatch(ctx.get('If-Match') || undefined));
    ctx.set('ETag', etagOf(item));
    ctx.body = itemBody(item);
  };
  router.put(paths('/items/:id/'), update('replaceItem'));
  router.patch(paths('/items/:id/'), update('updateItem'));

  router.delete(paths('/items/:id/'), async (ctx: Ctx) => {
    const caller = await callerOf(r, ctx, 'write');
    await deleteItem({ items }, caller, existingId(ctx), versionFromIfMatch(ctx.get('If-Match') || undefined));
    ctx.status = 204;
  });

}

function existingId(ctx: Ctx): number {
  const id = idOf(ctx);
  if (id === undefined) throw new NotFound('item', ctx.params.id ?? '');
  return id;
}

/**
 * What `URLSearchParams` writes for a name or value (application/x-www-form-urlencoded): only
 * alphanumerics and `*-._` stay, a space is `+`. encodeURIComponent also keeps `!'()~`.
 */
function formEncode(s: string): string {
  // URLSearchParams first turns a lone surrogate into U+FFFD; encodeURIComponent would throw on it.
  const wellFormed = (s as string & { toWellFormed(): string }).toWellFormed();
  return encodeURIComponent(wellFormed).replace(/[!'()~]|%20/g, (c) => FORM_ESCAPES[c]!);
}
const FORM_ESCAPES: Record<string, string> = { '!': '%21', "'": '%27', '(': '%28', ')': '%29', '~': '%7E', '%20': '+' };
