import { createHash } from 'node:crypto';
import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { parseBody } from './body.js';
import type { AppState } from './context.js';
import { send } from './error-middleware.js';
import { problem, type Rendered } from './problem.js';

/** The limited routes; each has its own budgets. */
export type LimitedRoute = 'token' | 'refresh' | 'signup';

export interface RateLimits {
  /** Middleware for one route: the client address's budget, then the account's (when `byAccount`). */
  guard(route: LimitedRoute, options: { byAccount: boolean; shape: 'oauth' | 'problem' }): Middleware<AppState>;
}

export interface Limiters {
  /** Keyed `<route>:address:<ip>`. */
  address: RateLimiterAbstract;
  /** Keyed `<route>:account:<sha256(email)>`: the email itself never reaches the store. */
  account: RateLimiterAbstract;
}

export const NO_RATE_LIMITS: RateLimits = { guard: () => (_ctx, next) => next() };

const STORE_WARNING_EVERY_MS = 10_000;

export function rateLimits(limiters: Limiters, logger: Logger): RateLimits {
  let lastWarning = 0;
  /**
   * True when the key is over its budget. A store failure (Redis down) lets the request through:
   * the limits slow brute force down, they are not what keeps accounts safe (passwords are), and
   * refusing every sign-in while Redis is away would turn its outage into ours.
   */
  const over = async (limiter: RateLimiterAbstract, key: string): Promise<RateLimiterRes | undefined> => {
    try {
      await limiter.consume(key);
      return undefined;
    } catch (res) {
      if (res instanceof RateLimiterRes) return res;
      if (Date.now() - lastWarning >= STORE_WARNING_EVERY_MS) {
        lastWarning = Date.now();
        logger.warn({ err: { name: (res as Error).name, message: (res as Error).message } }, 'rate-limit store unavailable; not limiting');
      }
      return undefined;
    }
  };

  return {
    guard: (route, { byAccount, shape }) => async (ctx, next) => {
      let refused = await over(limiters.address, `${route}:address:${ctx.ip}`);
      if (!refused && byAccount) {
        await parseBody(ctx, async () => undefined); // bodyOf finds it parsed and validates it as usual
        const account = accountOf((ctx.request as { body?: unknown }).body);
        if (account) refused = await over(limiters.account, `${route}:account:${account}`);
      }
      if (!refused) return next();
      const seconds = Math.max(1, Math.ceil(refused.msBeforeNext / 1000));
      const rendered = shape === 'oauth' ? oauthTooMany(seconds) : problem(429, 'too_many_requests', 'Too many requests',
        `too many attempts; retry in ${seconds} s`, { headers: { 'Retry-After': String(seconds) } });
      send(ctx, rendered);
    },
  };
}

/** The email of a sign-up or password grant (`username` in the OAuth 2 form), hashed; undefined when there is none. */
function accountOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const { email, username } = body as { email?: unknown; username?: unknown };
  const given = typeof email === 'string' ? email : typeof username === 'string' ? username : undefined;
  return given ? createHash('sha256').update(given.trim().toLowerCase()).digest('hex') : undefined;
}

/**
 * RFC 6749 §5.2 has no code for "too many requests". `temporarily_unavailable` (§4.1.2.1) is the one
 * OAuth clients already treat as "try again later"; the 429 and Retry-After say how much later.
 * `slow_down` belongs to device-flow polling (RFC 8628) and `invalid_request` would blame the request.
 */
function oauthTooMany(seconds: number): Rendered {
  return {
    status: 429,
    type: 'application/json',
    headers: { 'Retry-After': String(seconds), 'Cache-Control': 'no-store' },
    body: { error: 'temporarily_unavailable', error_description: `too many attempts; retry in ${seconds} s` },
  };
}
