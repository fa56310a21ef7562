import type { ErrorCode } from '../../../domain/errors.js';

/**
 * Every code of a problem only HTTP knows, with its status and title: the one table. A domain
 * error's code never stands here (see `Disjoint` below), so `/problems/<code>` means one thing.
 */
export const HTTP_PROBLEMS = {
  malformed_request: { status: 400, title: 'Malformed request' },
  unsupported_grant_type: { status: 400, title: 'Unsupported grant type' },
  unsupported_token_type: { status: 400, title: 'Unsupported token type' },
  method_not_allowed: { status: 405, title: 'Method not allowed' },
  request_timeout: { status: 408, title: 'Request timeout' },
  idempotency_key_in_use: { status: 409, title: 'Request in progress' },
  payload_too_large: { status: 413, title: 'Payload too large' },
  unsupported_media_type: { status: 415, title: 'Unsupported media type' },
  idempotency_key_reused: { status: 422, title: 'Idempotency key reused' },
  too_many_requests: { status: 429, title: 'Too many requests' },
  headers_too_large: { status: 431, title: 'Request header fields too large' },
  /** A library's 4xx with no code of ours; rendered with the library's own status. */
  http_error: { status: 400, title: 'Client error' },
  internal_error: { status: 500, title: 'Internal server error' },
  not_implemented: { status: 501, title: 'Not implemented' },
  body_reads_busy: { status: 503, title: 'Too many request bodies being read' },
} as const satisfies Record<string, { status: number; title: string }>;

export type HttpProblemCode = keyof typeof HTTP_PROBLEMS;

/** `true` when no code is in both sets; `never` otherwise, so assigning `true` to it fails to compile. */
export type Disjoint<A extends string, B extends string> = [Extract<A, B>] extends [never] ? true : never;
const codesApart: Disjoint<HttpProblemCode, ErrorCode> = true; // a domain code added to HTTP_PROBLEMS (or the reverse) stops the build here
void codesApart;

/**
 * A problem only HTTP knows (a rate limit, an idempotency conflict…): thrown like a domain error and
 * rendered by the route's one error renderer, so the token routes answer it in their OAuth 2 shape
 * and every other route as problem+json, without either being decided where it is thrown.
 */
export class HttpProblem extends Error {
  override name = 'HttpProblem';
  readonly status: number;
  readonly title: string;
  constructor(
    readonly code: HttpProblemCode,
    detail: string,
    readonly options: {
      headers?: Record<string, string>;
      /** RFC 6749 §5.2's code for the token routes; `invalid_request` when absent. */
      oauthError?: string;
    } = {},
  ) {
    super(detail);
    ({ status: this.status, title: this.title } = HTTP_PROBLEMS[code]);
  }
}
