import type Router from '@koa/router';
import type { Middleware } from 'koa';
import type { Caller } from '../../../domain/account.js';
import { NotFound } from '../../../domain/errors.js';
import { bodyOf, callerOf, paths, queryOf } from '../reading/request.js';
import type { AppState, Ctx, RouteDeps } from '../state.js';
import { compileOperation, type CompiledOperation, type RequestFrame } from './compile-operation.js';
import { operationTable, type OperationEntry } from './operation-table.js';
import type { Answer, Body, OperationId, PathParams, Query } from './operations.js';

/** What a handler gets: inputs typed from the operation and already validated by ajv against the same document. */
export interface OperationRequest<O extends OperationId> {
  params: PathParams<O>;
  query: Query<O>;
  body: Body<O>;
  /** The authenticated caller. An operation with `security: []` has none: reading it there throws. */
  caller: Caller;
  ctx: Ctx;
}

export type Handler<O extends OperationId> = (request: OperationRequest<O>) => Promise<Answer<O>>;

export interface RouteOptions {
  /** Middleware that runs before authentication and parsing: the client address's rate limit. */
  before?: Middleware<AppState>[];
  /** Sees a body that failed validation before the 400 is thrown, and may throw a more precise error. */
  refineInvalidBody?: (sent: unknown) => void;
  /** More paths answered by the same operation, as written (no parameters): a well-known document's path-inserted form. */
  alsoAt?: string[];
  /**
   * The router paths to serve instead of the document's: the templates metrics and traces have
   * always named a meta operation by (`/docs/:file` for `/docs/{asset}`), or a path of it answered
   * by a handler of its own (`/docs/openapi.json`). Its parameters are then the handler's to read,
   * from `ctx.params`: `params` is empty.
   */
  at?: string[];
  /** A meta operation (health, docs, metrics…): its trace span is named by method and route template (`GET /healthz`), not by operationId. */
  tracedByRoute?: boolean;
}

/** Registers the handler of one operation; its path, method, scope and error shape come from the document. */
export type Route = <O extends OperationId>(operationId: O, handler: Handler<O>, options?: RouteOptions) => void;

/**
 * Everything per operation is resolved here, once, at start-up: the route a request takes costs
 * what a hand-written one did (authenticate, read, call, write) and nothing per request is looked up
 * in the document. Both spellings of each path are served (see `paths`). Each operation is compiled
 * into one function that answers its whole request (compile-operation.ts), which the dispatcher
 * calls (dispatch.ts); the router keeps the paths and methods, for what only it answers (405 with
 * Allow, OPTIONS, 501) and for the dispatcher to match by. `compiledOf` gives the compiled function
 * of a router layer's handler.
 */
export function operationRoutes(
  router: Router<AppState>, r: RouteDeps, document: Record<string, any>, frame: RequestFrame,
): { route: Route; compiledOf: (middleware: unknown) => CompiledOperation | undefined } {
  const table = operationTable(document);
  const compiledBy = new WeakMap<object, CompiledOperation>();
  const route: Route = (operationId, handler, options = {}) => {
    const op = table.get(operationId);
    if (!op) throw new Error(`no operation ${operationId} in openapi.yaml`);
    const at = [...new Set([...options.at ?? paths(op.path.replace(/\{(\w+)\}/g, ':$1')), ...(options.alsoAt ?? [])])];
    const compiled = compileOperation(frame, op, options.tracedByRoute ?? false, options.before ?? [], async (ctx: Ctx) => {
      const caller = op.auth ? await callerOf(r, ctx, op.auth.scope) : undefined;
      const params = options.at ? {} : pathParamsOf(op, ctx);
      const query = op.hasQuery ? queryOf(r, ctx, operationId) : {};
      const body = op.hasBody ? await bodyOf(r, ctx, operationId, options.refineInvalidBody) : undefined;
      const request = new Inputs(op, params, query, body, caller, ctx) as unknown as OperationRequest<typeof operationId>;
      return handler(request);
    });
    // Never reached: the dispatcher answers every request this layer matches, before the router.
    const dispatchedEarlier: Middleware<AppState> = () => { throw new Error(`${operationId} reached the router: the dispatcher should have answered it`); };
    compiledBy.set(dispatchedEarlier, compiled);
    router[op.method](at, dispatchedEarlier);
  };
  return { route, compiledOf: (middleware) => (typeof middleware === 'function' ? compiledBy.get(middleware) : undefined) };
}

/**
 * One request's inputs, as a handler sees them (OperationRequest). A class rather than an object
 * literal with a `caller` getter: V8 builds such a literal in its runtime, with a new closure for the
 * getter, 0.7 µs a request against 0.03 µs for this (scripts/bench/micro.ts, "a handler's request").
 */
class Inputs {
  readonly #op: OperationEntry;
  readonly #caller: Caller | undefined;
  constructor(op: OperationEntry, readonly params: object, readonly query: object, readonly body: unknown, caller: Caller | undefined, readonly ctx: Ctx) {
    this.#op = op;
    this.#caller = caller;
  }

  get caller(): Caller {
    if (!this.#caller) throw new Error(`${this.#op.operationId} has no security in openapi.yaml, so no caller`);
    return this.#caller;
  }
}

/**
 * Path parameters as the document types them. An integer parameter that is not one, or out of its
 * range, names nothing that can exist: 404, as for an id nobody has (never 400, never echoed).
 */
function pathParamsOf(op: OperationEntry, ctx: Ctx): Record<string, string | number> {
  const params: Record<string, string | number> = {};
  for (const { name, integer } of op.pathParams) {
    const raw = ctx.params[name] ?? '';
    if (!integer) { params[name] = raw; continue; }
    const value = /^[1-9]\d{0,15}$/.test(raw) ? Number(raw) : Number.NaN;
    if (!(value >= integer.minimum && value <= integer.maximum)) throw new NotFound(op.path.split('/')[1]?.replace(/s$/, '') ?? 'resource', 'with that id');
    params[name] = value;
  }
  return params;
}
