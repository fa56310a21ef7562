import { createHash } from 'node:crypto';
import type { UserId } from '../../../domain/account.js';
import { InvalidInput } from '../../../domain/errors.js';
import type { IdempotencyStore } from '../../../ports/idempotency-store.js';
import type { Ctx } from '../state.js';
import { HttpProblem } from '../answers/http-problem.js';

/** A success answer as a route returns it: what a replay gives back. */
export interface Recordable {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** What a replay repeats besides status and body; the rest (request id, security headers) belongs to each answer. */
const RECORDED_HEADERS = ['Location', 'ETag'];
/** draft-ietf-httpapi-idempotency-key-header suggests a UUID; any visible ASCII up to 255 characters will do. */
const KEY = /^[\x21-\x7e]{1,255}$/;

/**
 * Runs `perform` at most once per Idempotency-Key and user; a retry gets the first 2xx answer again
 * (status, body, Location, ETag, plus `Idempotent-Replayed: true`). Per the IETF draft: the same key
 * with another body is 422, and a retry while the first request still runs is 409, which the
 * client retries (we do not hold its connection open waiting). A failure releases the key: it
 * created nothing, so running the retry is safe. Without the header, `perform` just runs.
 *
 * At the HTTP edge rather than in the use case because what must come back is the response as
 * sent, which the use case never sees; so `createItem` stays unaware of retries, and any other
 * POST can be wrapped the same way.
 */
export async function idempotently<A extends Recordable>(
  store: IdempotencyStore, ctx: Ctx, ownerId: UserId, operationId: string, body: unknown, perform: () => Promise<A>,
): Promise<A> {
  const key = ctx.get('Idempotency-Key');
  if (!key) return perform();
  if (!KEY.test(key)) {
    throw new InvalidInput([{ parameter: 'Idempotency-Key', message: 'must be 1 to 255 visible ASCII characters' }]);
  }
  const claim = await store.claim(ownerId, key, fingerprint(operationId, body));
  if (claim.outcome === 'replay') {
    // Recorded from an answer of this very operation (the fingerprint names it), so of its type.
    const { status, headers, body: recorded } = claim.response;
    return { status, body: recorded, headers: { ...headers, 'Idempotent-Replayed': 'true' } } as unknown as A;
  }
  if (claim.outcome === 'mismatch') {
    throw new HttpProblem('idempotency_key_reused',
      'this Idempotency-Key was already used with a different request; use a new key for a new request');
  }
  if (claim.outcome === 'in_progress') {
    throw new HttpProblem('idempotency_key_in_use',
      'a request with this Idempotency-Key is still being processed; retry it shortly', { headers: { 'Retry-After': '1' } });
  }
  let answer: A;
  try {
    answer = await perform();
  } catch (err) {
    await store.release(ownerId, key).catch(() => undefined); // left behind, it frees itself once abandoned
    throw err;
  }
  const headers = Object.fromEntries(RECORDED_HEADERS.flatMap((name) => (answer.headers?.[name] ? [[name, answer.headers[name]!]] : [])));
  // The item is stored: the 201 is true even if recording it fails. The key then stays claimed
  // until abandoned, and a retry meanwhile gets 409, never a second item.
  await store.complete(ownerId, key, { status: answer.status, headers, body: answer.body })
    .catch((err: Error) => ctx.state.log.warn({ err: { name: err.name, message: err.message } }, 'idempotency key not recorded'));
  return answer;
}

/** The operation and the body with its keys sorted: `{"a":1,"b":2}` and `{"b":2,"a":1}` are one request. */
function fingerprint(operationId: string, body: unknown): string {
  return createHash('sha256').update(operationId).update('\0').update(JSON.stringify(sorted(body))).digest('hex');
}

function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sorted((value as Record<string, unknown>)[k])]));
}
