import type { Middleware } from 'koa';
import type { AppState } from './context.js';
import { isUnexpected, problem, toProblem, type RenderContext, type Rendered } from './problem.js';

/**
 * Renders every error thrown below it with `render`. The outermost one uses problem+json; the
 * token routes add one of their own with the OAuth 2 renderer. An unexpected error is logged
 * with its stack and answered as a bare 500: nothing of it reaches the client.
 */
export function renderErrorsWith(render: (err: unknown, at: RenderContext) => Rendered, at: RenderContext): Middleware<AppState> {
  return async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      const rendered = render(err, at);
      if (isUnexpected(toProblem(err))) {
        ctx.state.log?.error({ err }, 'unexpected error');
      } else if (rendered.status >= 500) {
        ctx.state.log?.warn({ err: { name: (err as Error).name, message: (err as Error).message } }, 'dependency failure');
      }
      send(ctx, rendered);
    }
  };
}

/**
 * Koa answers an unmatched path or method with a plain-text 404 / 405; the contract promises
 * problem+json for every error, so the last middleware turns those into problems too.
 */
export const unmatchedAsProblem: Middleware<AppState> = async (ctx, next) => {
  await next();
  if (ctx.body !== undefined && ctx.body !== null) return;
  if (ctx.status === 404) send(ctx, problem(404, 'not_found', 'Not found', `no resource at ${ctx.path}`));
  else if (ctx.status === 405) {
    send(ctx, problem(405, 'method_not_allowed', 'Method not allowed', `${ctx.method} is not allowed here; see the Allow header`));
  } else if (ctx.status === 501) send(ctx, problem(501, 'not_implemented', 'Not implemented', `${ctx.method} is not supported`));
};

/** Writes a rendered answer (an error, or a 429 / idempotency problem decided before the route runs). */
export function send(ctx: Parameters<Middleware<AppState>>[0], rendered: Rendered): void {
  ctx.status = rendered.status;
  ctx.set(rendered.headers);
  ctx.type = rendered.type;
  ctx.body = rendered.body;
}
