import type { Middleware } from 'koa';
import type { AppState } from '../state.js';
import { NotFound } from '../../../domain/errors.js';
import { HttpProblem } from './http-problem.js';
import { toOAuthError } from './oauth-error.js';
import { isUnexpected, toProblem, type RenderContext, type Rendered } from './problem.js';

/**
 * Warned about, for whoever watches outages: the 5xx that say a dependency failed. Everything else a
 * client caused (any 4xx, and 501: a method no route knows, like PROPFIND, or an operation this
 * authorization server does not offer) is a client error, told by the request line alone; the
 * other 5xx (password checks all busy) are load, not an outage.
 */
const DEPENDENCY_FAILURES = new Set(['auth_server_unavailable', 'auth_server_bad_answer', 'database_unavailable']);
const CLIENT_CAUSED = new Set([501]);

/**
 * The one place an error becomes an answer. Everything below throws — domain errors, HttpProblems,
 * the body parser's 4xx — and this renders it in the shape the matched operation speaks: the RFC
 * 6749 error on the two token routes (their 400 is an OAuthError in openapi.yaml), problem+json
 * everywhere else. An unexpected error is logged with its stack and answered as a bare 500:
 * nothing of it reaches the client.
 */
export function renderErrors(at: RenderContext): Middleware<AppState> {
  return async (ctx, next) => {
    try {
      await next();
      throwIfUnmatched(ctx);
    } catch (err) {
      renderError(ctx, err, at);
    }
  };
}

/** One thrown error as the answer (for Koa to send), logged when it says something failed; what renderErrors does, for a compiled operation too. */
export function renderError(ctx: Parameters<Middleware<AppState>>[0], err: unknown, at: RenderContext): void {
  const context = ctx.state.authScheme ? { ...at, scheme: ctx.state.authScheme } : at;
  const rendered = (ctx.state.errorShape === 'oauth' ? toOAuthError : toProblem)(err, context);
  if (isUnexpected(err)) {
    ctx.state.log?.error({ err }, 'unexpected error');
  } else if (rendered.status >= 500 && !CLIENT_CAUSED.has(rendered.status)) {
    const failed = DEPENDENCY_FAILURES.has((err as { code?: string }).code ?? '');
    ctx.state.log?.warn({ err: { name: (err as Error).name, message: (err as Error).message } }, failed ? 'dependency failure' : 'server busy');
  }
  write(ctx, rendered);
}

/**
 * Koa answers an unmatched path or method with a plain-text 404 / 405 / 501; the contract promises
 * problem+json for every error, so those become problems too (the router's Allow header stays).
 */
function throwIfUnmatched(ctx: Parameters<Middleware<AppState>>[0]): void {
  if (ctx.body !== undefined && ctx.body !== null) return;
  if (ctx.status === 404) throw new NotFound('path', ctx.path, `no resource at ${ctx.path}`); // the domain's 404: no resource at this URL
  if (ctx.status === 405) throw new HttpProblem('method_not_allowed', `${ctx.method} is not allowed here; see the Allow header`);
  if (ctx.status === 501) throw new HttpProblem('not_implemented', `${ctx.method} is not supported`);
}

function write(ctx: Parameters<Middleware<AppState>>[0], rendered: Rendered): void {
  ctx.status = rendered.status;
  ctx.set(rendered.headers);
  ctx.type = rendered.type;
  ctx.body = rendered.body;
}
