import bodyParser from 'koa-bodyparser';
import type { Middleware } from 'koa';
import { InvalidInput } from '../../domain/errors.js';
import type { AppState } from './context.js';

/** The largest body any operation needs; anything bigger is refused with 413 before it is buffered whole. */
export const BODY_LIMIT = '64kb';

/**
 * Run by `bodyOf` inside the route, after authentication and inside the route's own error renderer,
 * so a 413 or a broken JSON body on the token routes is answered in their OAuth 2 shape.
 */
export const parseBody: Middleware<AppState> = bodyParser({
  enableTypes: ['json', 'form'],
  jsonLimit: BODY_LIMIT,
  formLimit: BODY_LIMIT,
  strict: true,
}) as unknown as Middleware<AppState>;

/** No operation's body nests deeper than a few levels; far deeper input is an attack on whatever walks it. */
export const MAX_BODY_DEPTH = 32;

/** Iterative, so the check itself cannot overflow the stack on the input it guards against. */
export function assertShallow(body: unknown, maxDepth = MAX_BODY_DEPTH): void {
  const stack: [unknown, number][] = [[body, 0]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= maxDepth) throw new InvalidInput([{ pointer: '', message: `nests deeper than ${maxDepth} levels` }]);
    for (const child of Object.values(value)) stack.push([child, depth + 1]);
  }
}
