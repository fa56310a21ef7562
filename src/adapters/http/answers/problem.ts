import { AuthServerUnavailable, DomainError, InsufficientScope, InvalidInput, UseDpopNonce, type ErrorCode, type FieldError } from '../../../domain/errors.js';
import { HTTP_PROBLEMS, HttpProblem, type HttpProblemCode } from './http-problem.js';
import { metadataUrlOf } from './resource-metadata.js';

/** What the error middleware writes: a status, headers and a JSON body of the right media type. */
export interface Rendered {
  status: number;
  type: string;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

type Code = ErrorCode;

// A code missing here is a compile error, so every domain error has a deliberate status.
const STATUS: Record<Code, number> = {
  invalid_input: 400, invalid_grant: 400, invalid_scope: 400, unauthenticated: 401, invalid_token: 401,
  insufficient_scope: 403, not_owner: 403, not_found: 404, name_taken: 409, email_taken: 409,
  version_mismatch: 412, not_supported: 501, auth_server_bad_answer: 502, auth_server_unavailable: 503,
  password_check_busy: 503, database_unavailable: 503, invalid_dpop_proof: 401, use_dpop_nonce: 401,
  not_staff: 403, cannot_change_self: 409, not_superuser: 403, last_superuser: 409,
};

const TITLE: Record<Code, string> = {
  invalid_input: 'Invalid input', invalid_grant: 'Invalid grant', invalid_scope: 'Invalid scope',
  unauthenticated: 'Authentication required', invalid_token: 'Invalid token',
  insufficient_scope: 'Insufficient scope', not_owner: 'Not the owner', not_found: 'Not found',
  name_taken: 'Name taken', email_taken: 'Email taken', version_mismatch: 'Precondition failed',
  not_supported: 'Not supported', auth_server_bad_answer: 'Bad answer from the authorization server',
  auth_server_unavailable: 'Authorization server unavailable', password_check_busy: 'Password checks busy',
  database_unavailable: 'Database unavailable', invalid_dpop_proof: 'Invalid DPoP proof', use_dpop_nonce: 'DPoP nonce required',
  not_staff: 'Staff only', cannot_change_self: 'Cannot change yourself',
  not_superuser: 'Superusers only', last_superuser: 'Last superuser',
};

/** Seconds a client should wait before retrying a 503: long enough for a restart, short enough to feel live. */
const RETRY_AFTER_SECONDS = '5';

/** Errors raised by Koa and its body parser carry an HTTP status and say whether it is safe to show. */
interface HttpError { status: number; expose?: boolean; message: string }

/** A library's 4xx by status: what it says in our words. */
const LIBRARY_ERRORS: Record<number, { code: HttpProblemCode; detail: string }> = {
  400: { code: 'malformed_request', detail: 'the request body is not valid JSON or form data' },
  413: { code: 'payload_too_large', detail: 'the request body is larger than 64 KiB' },
  415: { code: 'unsupported_media_type', detail: 'send the body as application/json' },
};

export function problem(
  status: number, code: ErrorCode | HttpProblemCode, title: string, detail: string,
  extra: { errors?: FieldError[]; headers?: Record<string, string> } = {},
): Rendered {
  const body: Record<string, unknown> = { type: `/problems/${code}`, title, status, detail };
  if (extra.errors) body.errors = extra.errors;
  const headers = { ...extra.headers };
  if (status === 503) headers['Retry-After'] ??= RETRY_AFTER_SECONDS;
  return { status, type: 'application/problem+json', headers, body };
}

/** What only the request knows, for the renderers: the server's own URL, as the client reached it. */
export interface RenderContext {
  baseUrl: string;
  /** Proofs of possession accepted (RFC 9449): the algorithms, and whether plain bearer tokens still are. */
  dpop?: { algorithms: readonly string[]; bearerAllowed: boolean };
  /** The scheme the request's Authorization used, so a refusal's error goes on that challenge. */
  scheme?: 'bearer' | 'dpop';
}

/** Renders any thrown value as RFC 9457 problem+json; with a context, challenges name the resource metadata. */
export function toProblem(err: unknown, at?: RenderContext): Rendered {
  if (err instanceof DomainError) {
    const e = err;
    if (e instanceof InvalidInput) {
      const { listed, detail } = listedErrors(e.errors, e.message);
      return problem(STATUS[e.code], e.code, TITLE[e.code], detail, { errors: listed });
    }
    return problem(STATUS[e.code], e.code, TITLE[e.code], e.message, { headers: { ...authenticateHeader(e, at), ...retryAfter(e) } });
  }
  if (err instanceof HttpProblem) {
    return problem(err.status, err.code, err.title, err.message, err.options.headers ? { headers: err.options.headers } : {});
  }
  const http = exposedHttpError(err);
  if (http) {
    const known = LIBRARY_ERRORS[http.status];
    return known
      ? problem(http.status, known.code, HTTP_PROBLEMS[known.code].title, known.detail)
      : problem(http.status, 'http_error', HTTP_PROBLEMS.http_error.title, http.expose ? http.message : 'the request cannot be served as sent');
  }
  const { status, title } = HTTP_PROBLEMS.internal_error;
  return problem(status, 'internal_error', title, 'something went wrong on our side; it has been logged');
}

/** A 503 that knows better than the default says when to come back. */
function retryAfter(e: DomainError): Record<string, string> {
  return e instanceof AuthServerUnavailable && e.retryAfterSeconds !== undefined ? { 'Retry-After': String(e.retryAfterSeconds) } : {};
}

/** At most this many field errors are listed: an error answer stays about the size of a normal one, whatever was sent. */
export const MAX_LISTED_ERRORS = 20;

/** The first MAX_LISTED_ERRORS field errors, and a detail that says how many more there were. */
export function listedErrors(errors: FieldError[], detail: string): { listed: FieldError[]; detail: string } {
  if (errors.length <= MAX_LISTED_ERRORS) return { listed: errors, detail };
  const more = errors.length - MAX_LISTED_ERRORS;
  return { listed: errors.slice(0, MAX_LISTED_ERRORS), detail: `${detail}; the first ${MAX_LISTED_ERRORS} are listed, ${more} more are not` };
}

const CHALLENGED: ReadonlySet<ErrorCode> = new Set(['unauthenticated', 'invalid_token', 'insufficient_scope', 'invalid_dpop_proof', 'use_dpop_nonce']);

/**
 * RFC 6750 §3 and RFC 9449 §7.1: a challenge per scheme the server accepts (Bearer unless
 * DPOP_REQUIRED, then DPoP with its `algs`), the error on the one the request used (a proof's
 * errors always on DPoP's); RFC 9728 §5.1: where to learn how to get a token.
 */
function authenticateHeader(e: DomainError, at: RenderContext | undefined): Record<string, string> {
  if (!CHALLENGED.has(e.code)) return {};
  const metadata = at ? `, resource_metadata="${metadataUrlOf(at.baseUrl)}"` : '';
  const error = e instanceof InsufficientScope ? `, error="insufficient_scope", scope="${e.required}"`
    : e.code === 'unauthenticated' ? '' : `, error="${e.code}", error_description="${e.message}"`;
  const onDpop = e.code === 'invalid_dpop_proof' || e.code === 'use_dpop_nonce' || at?.scheme === 'dpop' || at?.dpop?.bearerAllowed === false;
  const bearer = `Bearer realm="gatehouse"${onDpop ? '' : error}${metadata}`;
  if (!at?.dpop) return { 'WWW-Authenticate': bearer };
  const dpop = `DPoP realm="gatehouse"${onDpop ? error : ''}, algs="${at.dpop.algorithms.join(' ')}"${metadata}`;
  const headers: Record<string, string> = { 'WWW-Authenticate': at.dpop.bearerAllowed ? `${bearer}, ${dpop}` : dpop };
  if (e instanceof UseDpopNonce) headers['DPoP-Nonce'] = e.nonce;
  return headers;
}

/** A 4xx raised by Koa or the body parser (co-body sets `status` without `expose`). */
export function exposedHttpError(err: unknown): HttpError | undefined {
  const e = err as Partial<HttpError> | null;
  if (e && typeof e.status === 'number' && e.status >= 400 && e.status < 500) return e as HttpError;
  return undefined;
}

/** Neither a domain error, an HttpProblem nor a library's 4xx: a bug, answered as a bare 500 and logged with its stack. */
export function isUnexpected(err: unknown): boolean {
  return !(err instanceof DomainError) && !(err instanceof HttpProblem) && !exposedHttpError(err);
}
