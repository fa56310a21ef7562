import { changePassword } from '../../../use-cases/change-password.js';
import { requestedScopes } from '../../../domain/scopes.js';
import { getToken } from '../../../use-cases/get-token.js';
import { refreshToken } from '../../../use-cases/refresh-token.js';
import { revokeToken } from '../../../use-cases/revoke-token.js';
import { signUp } from '../../../use-cases/sign-up.js';
import { NotSupported } from '../../../domain/errors.js';
import { proofAtTokenEndpoint } from '../reading/request.js';
import type { Ctx, RouteDeps } from '../state.js';
import type { Route } from '../contract/route.js';
import { UnsupportedGrantType, UnsupportedTokenType } from '../answers/oauth-error.js';
import { NO_RATE_LIMITS, type RateLimits } from '../middleware/rate-limit.js';
import { tokenBody, userBody } from '../answers/wire.js';

/** RFC 6749 §5.1: token responses must not be stored by any cache. */
const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };

export function userRoutes(route: Route, r: RouteDeps, limits: RateLimits = NO_RATE_LIMITS): void {
  const { deps } = r;
  route('signUp', async ({ body, ctx }) => {
    await limits.spendAccount('signup', { email: body.email });
    return { status: 201, body: userBody(await signUp(deps, { ...body, client: ctx.ip })) };
  }, { before: [limits.byAddress('signup')] });

  /** The refresh grant, at either token endpoint: the same use case, DPoP binding and reuse detection. */
  const refreshGrant = async (ctx: Ctx, refresh: string) => {
    const proof = await proofAtTokenEndpoint(r, ctx);
    return { status: 200 as const, body: tokenBody(await refreshToken(deps, refresh, proof)), headers: NO_STORE };
  };

  // One token endpoint for standard clients (RFC 8414's token_endpoint): both grants, by grant_type.
  // Its address budget is the token route's for either grant: the grant is only known once the body is read.
  route('getToken', async ({ body, ctx }) => {
    if (body.grant_type === 'refresh_token') return refreshGrant(ctx, body.refresh_token);
    // JSON names the user `email`; the OAuth 2 form (Swagger UI's password flow) names it `username`.
    const email = 'email' in body ? body.email : body.username;
    await limits.spendAccount('token', { email });
    const proof = await proofAtTokenEndpoint(r, ctx);
    const pair = await getToken(deps, {
      email, password: body.password, client: ctx.ip, ...(body.scope ? { scope: body.scope } : {}), ...(proof ? { proof } : {}),
    });
    return { status: 200, body: tokenBody(pair), headers: NO_STORE };
  }, { before: [limits.byAddress('token')], refineInvalidBody: refineGrantError('password', 'refresh_token') });

  route('refreshToken', ({ body, ctx }) => refreshGrant(ctx, 'refresh' in body ? body.refresh : body.refresh_token),
    { before: [limits.byAddress('refresh')], refineInvalidBody: refineGrantError('refresh_token') });

  // RFC 7009 §2.2: an unknown token is a 200 too; a server that cannot revoke is its §2.2.1 error.
  route('revokeToken', async ({ body }) => {
    await revokeToken(deps, body.token, body.token_type_hint).catch((err: unknown) => {
      throw err instanceof NotSupported ? new UnsupportedTokenType(err.message) : err;
    });
    return { status: 200, body: undefined, headers: { 'Cache-Control': 'no-store' } };
  });

  // `write` (in openapi.yaml): a password change is the most consequential write there is (it
  // revokes tokens). Budgeted like sign-in, since it checks the old password: a stolen token must
  // not make it an unthrottled password oracle.
  route('changePassword', async ({ body, caller, ctx }) => {
    await limits.spendAccount('password', { userId: caller.user.id });
    await changePassword(deps, caller, { oldPassword: body.old_password, password: body.password, password2: body.password2, client: ctx.ip });
    return { status: 204, body: undefined };
  }, { before: [limits.byAddress('password')] });
}

/**
 * When a token request fails validation, RFC 6749 §5.2 has more precise codes than
 * `invalid_request` for two causes: another grant type (`unsupported_grant_type`) and a scope we
 * do not hand out (`invalid_scope`); the schema alone cannot tell those apart.
 */
function refineGrantError(...offered: ('password' | 'refresh_token')[]) {
  return (sent: unknown): void => {
    if (typeof sent !== 'object' || sent === null) return;
    const { grant_type: given, scope } = sent as { grant_type?: unknown; scope?: unknown };
    if (typeof given === 'string' && !(offered as string[]).includes(given)) throw new UnsupportedGrantType(offered.join(' or grant_type='));
    if (given !== 'refresh_token' && offered.includes('password') && typeof scope === 'string') requestedScopes(scope); // throws InvalidScope
  };
}
