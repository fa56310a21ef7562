import type { UserRecord } from '../../../domain/account.js';
import { InvalidInput } from '../../../domain/errors.js';
import { auditedFlags, changeUser } from '../../../use-cases/change-user.js';
import { getUser } from '../../../use-cases/get-user.js';
import { listUsers } from '../../../use-cases/list-users.js';
import { pageLink } from '../answers/page-link.js';
import type { QueryWithDefaults, Schema } from '../contract/operations.js';
import type { Route } from '../contract/route.js';
import { userCursor } from '../reading/cursor.js';
import type { RouteDeps } from '../state.js';

/** The staff operations (tag `admin`): the use cases refuse everyone else. */
export function adminRoutes(route: Route, r: RouteDeps): void {
  const { deps } = r;
  const usersUrl = `${r.publicUrl}/admin/users/`;

  route('listUsers', async ({ query, caller }) => {
    const q = query as QueryWithDefaults<'listUsers', 'limit' | 'ordering'>;
    const from = q.cursor ? userCursor.decode(q.cursor) : undefined;
    if (from && from.ordering !== q.ordering) {
      throw new InvalidInput([{ parameter: 'cursor', message: 'was made for another ordering; start again without it' }]);
    }
    const page = await listUsers(deps, caller, {
      limit: q.limit, ordering: q.ordering, ...(from ? { from } : {}), ...(q.search !== undefined ? { search: q.search } : {}),
      ...(q.is_staff !== undefined ? { isStaff: q.is_staff } : {}), ...(q.is_active !== undefined ? { isActive: q.is_active } : {}),
      ...(q.is_superuser !== undefined ? { isSuperuser: q.is_superuser } : {}),
    });
    const link = (cursor: string) => pageLink(usersUrl, q, cursor);
    return { status: 200, body: {
      next: page.next ? link(userCursor.encode(page.next)) : null,
      previous: page.previous ? link(userCursor.encode(page.previous)) : null,
      results: page.users.map(adminUserBody),
    } };
  });

  route('getUser', async ({ params, caller }) => ({ status: 200, body: adminUserBody(await getUser(deps, caller, params.id)) }));

  route('changeUser', async ({ params, body, caller, ctx }) => {
    const { before, after } = await changeUser(deps, caller, params.id, {
      ...(body.is_staff !== undefined ? { isStaff: body.is_staff } : {}), ...(body.is_active !== undefined ? { isActive: body.is_active } : {}),
    });
    // One structured line per change: who, what, whom, before → after. No email, no token.
    ctx.state.log.info({ audit: {
      actor: caller.user.id, action: 'changeUser', target: params.id,
      before: auditedFlags(before), after: auditedFlags(after),
    } }, 'admin change');
    return { status: 200, body: adminUserBody(after) };
  });
}

function adminUserBody(user: UserRecord): Schema<'AdminUser'> {
  return {
    id: user.id, email: user.email, is_staff: user.isStaff, is_active: user.isActive, is_superuser: user.isSuperuser,
    date_joined: user.dateJoined.toISOString(), last_seen: user.lastSeen ? user.lastSeen.toISOString() : null,
  };
}
