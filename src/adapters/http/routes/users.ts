import Router from '@koa/router';
import { changePassword } from '../../../use-cases/change-password.js';
import { getToken, parseScopes } from '../../../use-cases/get-token.js';
import { refreshToken } from '../../../use-cases/refresh-token.js';
import { InvalidInput } from '../../../domain/errors.js';
import { signUp } from '../../../use-cases/sign-up.js';
import { bodyOf, callerOf, paths, type AppState, type Ctx, type RouteDeps } from '../context.js';
import { renderErrorsWith } from '../error-middleware.js';
import { toOAuthError, UnsupportedGrantType } from '../oauth-error.js';
import { NO_RATE_LIMITS, type RateLimits } from '../rate-limit.js';
import { tokenBody, userBody } from '../wire.js';

type TokenWire =
  | { email: string; password: string; scope?: string }
  | { grant_type: 'password'; username: string; password: string; scope?: string };
type RefreshWire = { refresh: string } | { grant_type: 'refresh_token'; refresh_token: string };
interface SignUpWire { email: string; password: string; password2: string }
interface PasswordWire { old_password: string; password: string; password2: string }

export function userRoutes(router: Router<AppState>, r: RouteDeps, limits: RateLimits = NO_RATE_LIMITS): void {
  const { deps } = r;
  const oauthErrors = renderErrorsWith(toOAuthError, { baseUrl: r.publicUrl });

  router.post(paths('/users/signup/'), limits.byAddress('signup'), async (ctx: Ctx) => {
    const body = await bodyOf<SignUpWire>(r, ctx, 'signUp');
    await limits.spendAccount('signup', { email: body.email });
    const user = await signUp(deps, body);
    ctx.status = 201;
    ctx.body = userBody(user);
  });

  router.post(paths('/users/token/'), oauthErrors, limits.byAddress('token'), async (ctx: Ctx) => {
    const body = await tokenBodyOf<TokenWire>(r, ctx, 'getToken', 'password');
    // JSON names the user `email`; the OAuth 2 form (Swagger UI's password flow) names it `username`.
    const email = 'email' in body ? body.email : body.username;
    await limits.spendAccount('token', { email });
    const pair = await getToken(deps, { email, password: body.password, ...(body.scope ? { scope: body.scope } : {}) });
    sendToken(ctx, tokenBody(pair));
  });

  router.post(paths('/users/token/refresh/'), oauthErrors, limits.byAddress('refresh'), async (ctx: Ctx) => {
    const body = await tokenBodyOf<RefreshWire>(r, ctx, 'refreshToken', 'refresh_token');
    const pair = await refreshToken(deps, 'refresh' in body ? body.refresh : body.refresh_token);
    sendToken(ctx, tokenBody(pair));
  });

  // `write`: a password change is the most consequential write there is (it revokes the account's
  // tokens). Budgeted like sign-in, since it checks the old password: a stolen token must not make
  // it an unthrottled password oracle.
  router.put(paths('/users/password/'), limits.byAddress('password'), async (ctx: Ctx) => {
    const caller = await callerOf(r, ctx, 'write');
    const body = await bodyOf<PasswordWire>(r, ctx, 'changePassword');
    await limits.spendAccount('password', { userId: caller.user.id });
    await changePassword(deps, caller, { oldPassword: body.old_password, password: body.password, password2: body.password2 });
    ctx.status = 204;
  });

}

/**
 * The validated body of a token request. When validation fails, RFC 6749 §5.2 has more precise
 * codes than `invalid_request` for two causes: another grant type (`unsupported_grant_type`) and a
 * scope we do not hand out (`invalid_scope`); the schema alone cannot tell those apart.
 */
async function tokenBodyOf<T>(r: RouteDeps, ctx: Ctx, operationId: string, grantType: string): Promise<T> {
  try {
    return await bodyOf<T>(r, ctx, operationId);
  } catch (err) {
    const sent = (ctx.request as { body?: unknown }).body;
    if (err instanceof InvalidInput && typeof sent === 'object' && sent !== null) {
      const { grant_type: given, scope } = sent as { grant_type?: unknown; scope?: unknown };
      if (typeof given === 'string' && given !== grantType) throw new UnsupportedGrantType(grantType);
      if (grantType === 'password' && typeof scope === 'string') parseScopes(scope); // throws InvalidScope
    }
    throw err;
  }
}

/** RFC 6749 §5.1: token responses must not be stored by any cache. */
function sendToken(ctx: Ctx, body: ReturnType<typeof tokenBody>): void {
  ctx.set('Cache-Control', 'no-store');
  ctx.set('Pragma', 'no-cache');
  ctx.body = body;
}
