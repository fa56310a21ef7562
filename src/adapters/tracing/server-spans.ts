import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Middleware } from 'koa';
import type { AppState } from '../http/state.js';
import { tracer } from './tracer.js';

/**
 * One SERVER span per request, the parent of everything the request does: continues the caller's
 * trace when it sent a W3C `traceparent`. Named by the operationId (`listItems`), or `GET /health`
 * for the routes outside the contract. Records the route template, never the path's query; the
 * caller's user id, never its token or email.
 */
export function serverSpans(): Middleware<AppState> {
  return async (ctx, next) => {
    const parent = propagation.extract(ROOT_CONTEXT, ctx.req.headers);
    const span = tracer.startSpan(ctx.method, {
      kind: SpanKind.SERVER,
      attributes: { 'http.request.method': ctx.method, 'url.scheme': ctx.protocol },
    }, parent);
    try {
      await context.with(trace.setSpan(parent, span), next);
    } catch (err) {
      span.recordException(err as Error);
      throw err;
    } finally {
      const { operation, caller } = ctx.state;
      const route = operation?.path ?? (ctx as { _matchedRoute?: string })._matchedRoute;
      span.updateName(operation?.id ?? (route ? `${ctx.method} ${route}` : ctx.method));
      if (route) span.setAttribute('http.route', route);
      span.setAttribute('http.response.status_code', ctx.status);
      if (caller) span.setAttribute('enduser.id', String(caller.user.id));
      if (ctx.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    }
  };
}
