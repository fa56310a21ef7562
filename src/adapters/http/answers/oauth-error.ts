import { DomainError, InvalidInput } from '../../../domain/errors.js';
import { HttpProblem } from './http-problem.js';
import { exposedHttpError, MAX_LISTED_ERRORS, toProblem, type RenderContext, type Rendered } from './problem.js';

/** RFC 6749 §5.2: a grant type the endpoint does not offer (a 400, named in the OAuth shape). */
export class UnsupportedGrantType extends HttpProblem {
  constructor(offered: string) {
    super('unsupported_grant_type', `this endpoint offers grant_type=${offered} only`,
      { oauthError: 'unsupported_grant_type' });
  }
}

/** RFC 7009 §2.2.1: the authorization server cannot revoke tokens (an oauth2 server without a revocation endpoint). */
export class UnsupportedTokenType extends HttpProblem {
  constructor(detail: string) {
    super('unsupported_token_type', detail, { oauthError: 'unsupported_token_type' });
  }
}

/**
 * The two token routes answer errors as RFC 6749 §5.2 `{error, error_description}`: OAuth clients
 * (Swagger UI's password flow among them) read that shape, not problem+json.
 */
export function toOAuthError(err: unknown, at?: RenderContext): Rendered {
  const asProblem = toProblem(err, at);
  let { status, headers } = asProblem;
  const error = oauthCode(err, status);
  if (error === 'invalid_dpop_proof' || error === 'use_dpop_nonce') {
    // RFC 9449 §5/§8: at the token endpoint these are 400s, with the nonce but no challenge.
    status = 400;
    headers = headers['DPoP-Nonce'] ? { 'DPoP-Nonce': headers['DPoP-Nonce'] } : {};
  }
  const body: Record<string, unknown> = { error, error_description: description(err, asProblem) };
  return { status, type: 'application/json', headers: { ...headers, 'Cache-Control': 'no-store' }, body };
}

function oauthCode(err: unknown, status: number): string {
  if (err instanceof HttpProblem) return err.options.oauthError ?? 'invalid_request';
  if (err instanceof DomainError) {
    const { code } = err;
    if (code === 'invalid_grant' || code === 'invalid_scope' || code === 'invalid_dpop_proof' || code === 'use_dpop_nonce') return code;
    if (code === 'invalid_input') return 'invalid_request';
  }
  if (exposedHttpError(err)) return 'invalid_request';
  return status === 503 ? 'temporarily_unavailable' : 'server_error';
}

function description(err: unknown, asProblem: Rendered): string {
  if (err instanceof HttpProblem) return err.message;
  if (err instanceof InvalidInput) {
    const { errors } = err;
    const listed = errors.slice(0, MAX_LISTED_ERRORS).map((e) => `${(e.pointer ?? e.parameter ?? '').replace(/^\//, '') || 'body'}: ${e.message}`);
    if (errors.length > MAX_LISTED_ERRORS) listed.push(`${errors.length - MAX_LISTED_ERRORS} more`);
    return listed.join('; ');
  }
  return String(asProblem.body.detail);
}
