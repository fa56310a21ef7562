import type { Caller, Scope } from '../../../domain/account.js';
import { InvalidDpopProof, InvalidInput } from '../../../domain/errors.js';
import { authenticate, type PresentedToken } from '../../../use-cases/authenticate.js';
import { assertShallow, readBody } from './body.js';
import { HttpProblem } from '../answers/http-problem.js';
import type { RequestValidators } from '../contract/request-validator.js';
import type { Ctx, RouteDeps } from '../state.js';

/** Both spellings of a path: the trailing slash is canonical, the slash-less form answers the same. */
export function paths(canonical: string): string[] {
  return [canonical, canonical.replace(/\/$/, '')];
}

const AUTHORIZATION = /^(Bearer|DPoP) +([\x21-\x7e]+) *$/i; // RFC 6750 / RFC 9449 token68, loosely: any visible ASCII

/**
 * The caller of a request: `Authorization: Bearer <token>`, or `Authorization: DPoP <token>` with
 * a `DPoP` proof header, whose proof is checked here (it is about this request: its method, its
 * URL as clients see it under PUBLIC_URL, the token sent with it) before the token is.
 */
export async function callerOf({ deps, dpop, publicUrl }: RouteDeps, ctx: Ctx, scope: Scope | undefined): Promise<Caller> {
  const [, scheme, token] = AUTHORIZATION.exec(ctx.get('Authorization')) ?? [];
  let presented: PresentedToken | undefined;
  if (token !== undefined && scheme?.toLowerCase() === 'dpop') {
    ctx.state.authScheme = 'dpop';
    const { jkt } = await dpop.verify(singleProof(ctx), { method: ctx.method, url: `${publicUrl}${ctx.path}`, accessToken: token });
    presented = { token, proofKey: jkt };
  } else if (token !== undefined) {
    ctx.state.authScheme = 'bearer';
    presented = { token };
  }
  const caller = await authenticate(deps, presented, scope, Date.now() / 1000, { requireProof: dpop.settings.required });
  ctx.state.caller = caller;
  return caller;
}

/**
 * RFC 9449 §5: a DPoP header at a token endpoint asks for a pair bound to the proof's key; the
 * proof is for this request (no `ath`: there is no token yet). Undefined without one.
 */
export async function proofKeyAtTokenEndpoint({ dpop, publicUrl }: RouteDeps, ctx: Ctx): Promise<string | undefined> {
  if (!ctx.get('DPoP')) return undefined;
  const { jkt } = await dpop.verify(singleProof(ctx), { method: ctx.method, url: `${publicUrl}${ctx.path}` });
  return jkt;
}

/** RFC 9449 §4.3: exactly one DPoP header (Node joins repeated ones with ", ", which no JWT contains). */
export function singleProof(ctx: Ctx): string {
  const proof = ctx.get('DPoP').trim();
  if (!proof || proof.includes(',')) throw new InvalidDpopProof('send exactly one DPoP header with a proof');
  return proof;
}

/**
 * The validated body of an operation: 415 for a media type the operation does not declare,
 * 400 with every field at fault otherwise.
 */
export async function bodyOf(
  { validators }: RouteDeps, ctx: Ctx, operationId: string, refineInvalid?: (sent: unknown) => void,
): Promise<unknown> {
  const mediaType = ctx.request.type || 'application/json';
  if (!validators.accepts(operationId, mediaType)) {
    throw new HttpProblem(415, 'unsupported_media_type', 'Unsupported media type', 'send the body as application/json');
  }
  await readBody(ctx as never); // parsed only now: after authentication, never for a GET
  const body = (ctx.request as { body?: unknown }).body;
  assertShallow(body);
  const errors = validators.body(operationId, mediaType, body);
  if (errors.length) {
    refineInvalid?.(body);
    throw new InvalidInput(errors);
  }
  return body;
}

/**
 * The validated, coerced query of an operation; 400 with every parameter at fault. Validation is a
 * function of the raw querystring alone, so a valid one's result is kept (bounded, least recently
 * used out) and a repeat, e.g. `?limit=20`, skips both Koa's parsing and ajv. Rejections are never
 * kept: each is validated afresh, so its errors are exactly ajv's.
 */
export function queryOf({ validators }: RouteDeps, ctx: Ctx, operationId: string): Record<string, unknown> {
  const raw = ctx.querystring;
  const key = raw.length <= MAX_CACHED_QUERYSTRING ? `${operationId}?${raw}` : undefined;
  let valid = validQueries.get(validators);
  if (!valid) validQueries.set(validators, valid = new Map());
  const hit = key === undefined ? undefined : valid.get(key);
  if (hit) {
    valid.delete(key!); // most recently used last
    valid.set(key!, hit);
    return { ...hit }; // a copy each time: the caller may change its own
  }
  const query: Record<string, unknown> = { ...ctx.query };
  const errors = validators.query(operationId, query);
  if (errors.length) throw new InvalidInput(errors);
  if (key !== undefined && Object.values(query).every((v) => typeof v !== 'object' || v === null)) {
    if (valid.size >= MAX_CACHED_QUERIES) valid.delete(valid.keys().next().value!);
    valid.set(key, { ...query });
  }
  return query;
}
const validQueries = new WeakMap<RequestValidators, Map<string, Readonly<Record<string, unknown>>>>();
const MAX_CACHED_QUERIES = 256;
const MAX_CACHED_QUERYSTRING = 256;
