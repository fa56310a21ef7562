import type { RouterContext } from '@koa/router';
import type { Logger } from 'pino';
import type { Caller, Scope } from '../../domain/account.js';
import { InvalidInput } from '../../domain/errors.js';
import type { Deps } from '../../ports/index.js';
import { authenticate } from '../../use-cases/authenticate.js';
import { assertShallow, parseBody } from './body.js';
import type { RequestValidators } from './request-validator.js';

export interface AppState {
  requestId: string;
  log: Logger;
  caller?: Caller;
}

export type Ctx = RouterContext<AppState>;

export interface RouteDeps {
  deps: Deps;
  validators: RequestValidators;
}

/** Both spellings of a path: the trailing slash is canonical, the slash-less form answers the same. */
export function paths(canonical: string): string[] {
  return [canonical, canonical.replace(/\/$/, '')];
}

const BEARER = /^Bearer +([\x21-\x7e]+) *$/i; // RFC 6750 b64token, loosely: any visible ASCII

export async function callerOf({ deps }: RouteDeps, ctx: Ctx, scope: Scope | undefined): Promise<Caller> {
  const header = ctx.get('Authorization');
  const token = header ? BEARER.exec(header)?.[1] : undefined;
  const caller = await authenticate(deps, token, scope);
  ctx.state.caller = caller;
  return caller;
}

/**
 * The validated body of an operation: 415 for a media type the operation does not declare,
 * 400 with every field at fault otherwise.
 */
export async function bodyOf<T>({ validators }: RouteDeps, ctx: Ctx, operationId: string): Promise<T> {
  const mediaType = ctx.request.type || 'application/json';
  if (!validators.accepts(operationId, mediaType)) ctx.throw(415);
  await parseBody(ctx as never, async () => undefined); // parsed only now: after authentication, never for a GET
  const body = (ctx.request as { body?: unknown }).body;
  assertShallow(body);
  const errors = validators.body(operationId, mediaType, body);
  if (errors.length) throw new InvalidInput(errors);
  return body as T;
}

export function queryOf<T>({ validators }: RouteDeps, ctx: Ctx, operationId: string): T {
  const query: Record<string, unknown> = { ...ctx.query };
  const errors = validators.query(operationId, query);
  if (errors.length) throw new InvalidInput(errors);
  return query as T;
}

/** Path ids are positive integers; anything else names no item, so it is a 404 rather than a 400. */
export function idOf(ctx: Ctx): number | undefined {
  const raw = ctx.params.id ?? '';
  return /^[1-9]\d{0,9}$/.test(raw) && Number(raw) <= 2_147_483_647 ? Number(raw) : undefined;
}
