import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import { renderError } from '../answers/render-errors.js';
import type { RenderContext } from '../answers/problem.js';
import { writeJson, writesAsJson } from '../answers/write-json.js';
import type { RequestLine } from '../middleware/request-log.js';
import { clientAddress } from '../reading/client-address.js';
import { RequestState, requestIdOf } from '../request-state.js';
import { sentStatus } from '../server/server-limits.js';
import type { AppState, Ctx } from '../state.js';
import type { OperationEntry } from './operation-table.js';

/** What every operation's requests share, made once by createApp. */
export interface RequestFrame {
  logger: Logger;
  /** The request log line (see request-log.ts). */
  line: RequestLine;
  trustProxy: number;
  /** Helmet's headers, as one object (see securityHeaderBlock). */
  securityHeaders: Record<string, string>;
  /** @koa/cors, when CORS_ORIGINS is set: its headers for the request's Origin. */
  cors?: Middleware<AppState> | undefined;
  renderAt: RenderContext;
  /** The request metrics (Metrics in middleware/metrics.ts, which imports route(): only the part used here). */
  metrics?: { requestObserver(route: string, method: string): (status: number, seconds: number) => void } | undefined;
}

/** What a handler answered, as route() hands it on. */
export interface Answered { status: number; body?: unknown; headers?: Record<string, string> }

/** The router layer a request matched: its template (`/items/:id/`), metrics label and path parameters. */
export interface Matched { template: string; label: string; params: Record<string, string> }

/** One operation's whole request: called by the dispatcher (dispatch.ts) for a request it matched, in place of the global chain. */
export type CompiledOperation = (ctx: Ctx, matched: Matched) => Promise<void>;

const proceed = async () => undefined;

/**
 * One function per operation doing, in order, what the global chain and the router did for it:
 * client address, request id and state, CORS, the rate limits before it, its inputs and handler,
 * the answer or the error as rendered by renderErrors; then the metrics observation and the log
 * line. What the chain looked up or built per request is resolved here once: the security headers
 * and X-Request-Id are one header block, the metrics children are bound per route and method, the
 * log line has its prefix. A JSON answer is written straight to Node (write-json.ts); anything else,
 * errors included, is handed to Koa to send, as before.
 */
export function compileOperation(
  frame: RequestFrame, op: OperationEntry, tracedByRoute: boolean, before: Middleware<AppState>[],
  run: (ctx: Ctx) => Promise<Answered>,
): CompiledOperation {
  const operation = tracedByRoute ? undefined : { id: op.operationId, path: op.path }; // one object per operation, shared by its requests
  const head = Object.entries(frame.securityHeaders).flat();
  const observers = new Map<string, (status: number, seconds: number) => void>(); // by label and method: GET and HEAD share the operation
  const observerOf = (label: string, method: string) => {
    const key = `${method} ${label}`;
    let observe = observers.get(key);
    if (!observe) observers.set(key, observe = frame.metrics!.requestObserver(label, method));
    return observe;
  };
  const { logger, line, trustProxy, cors, renderAt, metrics, securityHeaders } = frame;

  return async function compiled(ctx, matched) {
    const started = performance.now();
    (ctx as { _matchedRoute?: string })._matchedRoute = matched.template; // the span's route (server-spans.ts)
    ctx.params = matched.params;
    ctx.request.ip = clientAddress(ctx.req, trustProxy); // ctx.ip, for every per-client limit
    const requestId = requestIdOf(ctx.req);
    const state = new RequestState(requestId, logger);
    state.errorShape = op.errors;
    if (operation) state.operation = operation;
    ctx.state = state;
    try {
      let answer: Answered | undefined;
      let failure: { err: unknown } | undefined;
      try {
        if (cors) await cors(ctx, proceed);
        for (const middleware of before) await middleware(ctx, proceed);
        answer = await run(ctx);
      } catch (err) {
        failure = { err };
      }
      if (answer && writesAsJson(answer.status, answer.body, answer.headers)) {
        writeJson(ctx, answer.status, [...head, 'X-Request-Id', requestId], answer.body, answer.headers);
        return;
      }
      // Through Koa, as the global chain did: the block first, then the answer's own headers.
      ctx.set(securityHeaders);
      ctx.set('X-Request-Id', requestId);
      if (failure) {
        renderError(ctx, failure.err, renderAt);
      } else if (answer) {
        // No body: an explicit null, set before the status, which Koa sends empty rather than as its status text.
        if (answer.body === undefined) ctx.body = null;
        ctx.status = answer.status;
        if (answer.headers) ctx.set(answer.headers);
        if (answer.body !== undefined) ctx.body = answer.body;
      }
    } catch (err) {
      // Writing the answer failed (a header value Node refuses): rendered like any error, as before.
      ctx.respond = true;
      ctx.set(securityHeaders);
      ctx.set('X-Request-Id', requestId);
      renderError(ctx, err, renderAt);
    } finally {
      const status = sentStatus(ctx.req.socket, ctx.status);
      const ms = performance.now() - started;
      if (metrics) observerOf(matched.label, ctx.method)(status, ms / 1000);
      line(requestId, ctx.method, ctx.path, status, ms, state.caller?.user.id);
    }
  };
}
