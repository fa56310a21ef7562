import bodyParser from 'koa-bodyparser';
import type { Middleware } from 'koa';
import type { AppState } from './context.js';

/** The largest body any operation needs; anything bigger is refused with 413 before it is buffered whole. */
export const BODY_LIMIT = '64kb';

/**
 * Mounted per route, after the route's error renderer, so a 413 or a broken JSON body on the token
 * routes is answered in their OAuth 2 shape. Other media types are left unparsed and refused with
 * 415 by `bodyOf`.
 */
export const parseBody: Middleware<AppState> = bodyParser({
  enableTypes: ['json', 'form'],
  jsonLimit: BODY_LIMIT,
  formLimit: BODY_LIMIT,
  strict: true,
}) as unknown as Middleware<AppState>;
