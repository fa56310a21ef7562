import { createHash } from 'node:crypto';
import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { AppState } from '../state.js';
import { HttpProblem } from '../answers/http-problem.js';

/** The limited routes; each has its own budgets. */
export type LimitedRoute = 'token' | 'refresh' | 'signup' | 'password';

export interface RateLimits {
  /** Middleware spending one of the client address's requests at a route, before anything else runs. */
  byAddress(route: LimitedRoute): Middleware<AppState>;
  /**
   * Spends one attempt of an account's budget at a route; throws a 429 HttpProblem when it is spent.
   * Routes call it only once the request is valid: a malformed request names an account it cannot
   * harm, so it must not lock that account out (it still spends its sender's address budget).
   */
  spendAccount(route: LimitedRoute, account: AccountKey): Promise<void>;
}

/** Whose budget: an email as the client typed it (sign-in, sign-up) or an authenticated user. */
export type AccountKey = { email: string } | { userId: number };

export interface Limiters {
  /** Keyed `<route>:address:<ip>`. */
  address: RateLimiterAbstract;
  /** Keyed `<route>:account:<sha256(email)>` or `<route>:user:<id>`: the email itself never reaches the store. */
  account: RateLimiterAbstract;
}

export const NO_RATE_LIMITS: RateLimits = { byAddress: () => (_ctx, next) => next(), spendAccount: async () => undefined };

const STORE_WARNING_EVERY_MS = 10_000;

export function rateLimits(limiters: Limiters, logger: Logger): RateLimits {
  let lastWarning = 0;
  /**
   * Spends a point, or throws 429 when the key is over its budget. A store failure (Redis down)
   * lets the request through: the limits slow brute force down, they are not what keeps accounts
   * safe (passwords are), and refusing every sign-in while Redis is away would turn its outage into ours.
   */
  const spend = async (limiter: RateLimiterAbstract, key: string): Promise<void> => {
    try {
      await limiter.consume(key);
    } catch (res) {
      if (res instanceof RateLimiterRes) throw tooMany(res);
      if (Date.now() - lastWarning >= STORE_WARNING_EVERY_MS) {
        lastWarning = Date.now();
        logger.warn({ err: { name: (res as Error).name, message: (res as Error).message } }, 'rate-limit store unavailable; not limiting');
      }
    }
  };

  return {
    byAddress: (route) => async (ctx, next) => {
      await spend(limiters.address, `${route}:address:${ctx.ip}`);
      return next();
    },
    spendAccount: (route, account) => spend(limiters.account, `${route}:${accountKey(account)}`),
  };
}

function accountKey(account: AccountKey): string {
  if ('userId' in account) return `user:${account.userId}`;
  return `account:${createHash('sha256').update(account.email.trim().toLowerCase()).digest('hex')}`;
}

/**
 * RFC 6749 §5.2 has no code for "too many requests". `temporarily_unavailable` (§4.1.2.1) is the one
 * OAuth clients already treat as "try again later"; the 429 and Retry-After say how much later.
 * `slow_down` belongs to device-flow polling (RFC 8628) and `invalid_request` would blame the request.
 */
function tooMany(res: RateLimiterRes): HttpProblem {
  const seconds = Math.max(1, Math.ceil(res.msBeforeNext / 1000));
  return new HttpProblem('too_many_requests', `too many attempts; retry in ${seconds} s`, {
    headers: { 'Retry-After': String(seconds) }, oauthError: 'temporarily_unavailable',
  });
}
