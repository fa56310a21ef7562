import type { Caller, ProofOfPossession, Scope } from '../../../domain/account.js';
import { InvalidDpopProof, InvalidInput } from '../../../domain/errors.js';
import { authenticate, type PresentedToken } from '../../../use-cases/authenticate.js';
import { assertShallow, readBody } from './body.js';
import { HttpProblem } from '../answers/http-problem.js';
import type { Ctx, RouteDeps } from '../state.js';

/** Both spellings of a path: the trailing slash is canonical, the slash-less form answers the same. `/` has one. */
export function paths(canonical: string): string[] {
  return canonical === '/' ? [canonical] : [canonical, canonical.replace(/\/$/, '')];
}

const AUTHORIZATION = /^(Bearer|DPoP) +([\x21-\x7e]+) *$/i; // RFC 6750 / RFC 9449 token68, loosely: any visible ASCII

/**
 * The caller of a request: `Authorization: Bearer <token>`, or `Authorization: DPoP <token>` with
 * a `DPoP` proof header, whose claims are checked here (they are about this request: its method,
 * its URL as clients see it under PUBLIC_URL, the token sent with it) before the token is; its
 * signature and jti only once the token is known to be bound to the proof's key (`authenticate`).
 */
export async function callerOf({ deps, dpop, publicUrl }: RouteDeps, ctx: Ctx, scope: Scope | undefined): Promise<Caller> {
  const [, scheme, token] = AUTHORIZATION.exec(ctx.get('Authorization')) ?? [];
  let presented: PresentedToken | undefined;
  if (token !== undefined && scheme?.toLowerCase() === 'dpop') {
    ctx.state.authScheme = 'dpop';
    const { jkt, confirm } = await dpop.inspect(singleProof(ctx), { method: ctx.method, url: `${publicUrl}${ctx.path}`, accessToken: token });
    presented = { token, proofKey: jkt, confirmProof: confirm };
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
 * proof is for this request (no `ath`: there is no token yet). Its claims are checked here; its
 * signature and jti by the server once the credentials are good (`confirm`), so that the most
 * expensive proof anyone can send costs nothing with a wrong password or refresh token. Undefined
 * without one, unless DPOP_REQUIRED: a server that accepts only bound tokens hands out no other kind.
 */
export async function proofAtTokenEndpoint({ dpop, publicUrl }: RouteDeps, ctx: Ctx): Promise<ProofOfPossession | undefined> {
  if (!ctx.get('DPoP')) {
    if (dpop.settings.required) throw new InvalidDpopProof('this server issues only DPoP-bound tokens: send a DPoP proof for this request');
    return undefined;
  }
  const { jkt, confirm } = await dpop.inspect(singleProof(ctx), { method: ctx.method, url: `${publicUrl}${ctx.path}` });
  return { confirm: async () => { await confirm(); return jkt; } };
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
  { validators, bodyReads }: RouteDeps, ctx: Ctx, operationId: string, refineInvalid?: (sent: unknown) => void,
): Promise<unknown> {
  const mediaType = ctx.request.type || 'application/json';
  if (!validators.accepts(operationId, mediaType)) {
    throw new HttpProblem('unsupported_media_type', 'send the body as application/json');
  }
  // Parsed only now: after authentication, never for a GET; and only while a place to read it is free.
  await bodyReads.read(ctx.req, ctx.ip, () => readBody(ctx as never));
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
 * The validated, coerced query of an operation; 400 with every parameter at fault. Parsed by Koa
 * and checked by ajv on every request. A cache of valid querystrings saved 2.0–2.6 µs on a
 * repeated one (`?limit=20`) and cost 1.0–1.8 µs on a new one, and every page after the first has a
 * cursor of its own (scripts/bench/micro.ts, "list query"; measured when the cache was removed).
 */
export function queryOf({ validators }: RouteDeps, ctx: Ctx, operationId: string): Record<string, unknown> {
  const query: Record<string, unknown> = { ...ctx.query };
  const errors = validators.query(operationId, query);
  if (errors.length) throw new InvalidInput(errors);
  return query;
}
