import { changePassword } from '../../../use-cases/change-password.js';
import { requestedScopes } from '../../../domain/scopes.js';
import { getToken } from '../../../use-cases/get-token.js';
import { refreshToken } from '../../../use-cases/refresh-token.js';
import { signUp } from '../../../use-cases/sign-up.js';
import { proofKeyAtTokenEndpoint } from '../reading/request.js';
import type { RouteDeps } from '../state.js';
import type { Route } from '../contract/route.js';
import { UnsupportedGrantType } from '../answers/oauth-error.js';
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

  route('getToken', async ({ body, ctx }) => {
    // JSON names the user `email`; the OAuth 2 form (Swagger UI's password flow) names it `username`.
    const email = 'email' in body ? body.email : body.username;
    await limits.spendAccount('token', { email });
    const proofKey = await proofKeyAtTokenEndpoint(r, ctx);
    const pair = await getToken(deps, {
      email, password: body.password, client: ctx.ip, ...(body.scope ? { scope: body.scope } : {}), ...(proofKey ? { proofKey } : {}),
    });
    return { status: 200, body: tokenBody(pair), headers: NO_STORE };
  }, { before: [limits.byAddress('token')], refineInvalidBody: refineGrantError('password') });

  route('refreshToken', async ({ body, ctx }) => {
    const proofKey = await proofKeyAtTokenEndpoint(r, ctx);
    const pair = await refreshToken(deps, 'refresh' in body ? body.refresh : body.refresh_token, proofKey);
    return { status: 200, body: tokenBody(pair), headers: NO_STORE };
  }, { before: [limits.byAddress('refresh')], refineInvalidBody: refineGrantError('refresh_token') });

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
function refineGrantError(grantType: 'password' | 'refresh_token') {
  return (sent: unknown): void => {
    if (typeof sent !== 'object' || sent === null) return;
    const { grant_type: given, scope } = sent as { grant_type?: unknown; scope?: unknown };
    if (typeof given === 'string' && given !== grantType) throw new UnsupportedGrantType(grantType);
    if (grantType === 'password' && typeof scope === 'string') requestedScopes(scope); // throws InvalidScope
  };
}
