/**
 * A problem only HTTP knows (a rate limit, an idempotency conflict…): thrown like a domain error and
 * rendered by the route's one error renderer, so the token routes answer it in their OAuth 2 shape
 * and every other route as problem+json, without either being decided where it is thrown.
 */
export class HttpProblem extends Error {
  override name = 'HttpProblem';
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    detail: string,
    readonly options: {
      headers?: Record<string, string>;
      /** RFC 6749 §5.2's code for the token routes; `invalid_request` when absent. */
      oauthError?: string;
    } = {},
  ) {
    super(detail);
  }
}
