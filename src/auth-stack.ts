import type { Kysely } from 'kysely';
import nodeFetch from 'node-fetch';
import type { Logger } from 'pino';
import { withCircuitBreaker, type BreakingAuthServer } from './adapters/auth/circuit-breaker.js';
import { DotAuthServer } from './adapters/auth/dot-auth-server.js';
import { EmbeddedAuthServer } from './adapters/auth/embedded-auth-server.js';
import { withInstrumentation, type AuthCallObserver } from './adapters/auth/instrumented-auth-server.js';
import { withIntrospectionCache, type CachedAuthServer } from './adapters/auth/introspection-cache.js';
import { JwtAuthServer } from './adapters/auth/jwt-auth-server.js';
import { OAuth2AuthServer } from './adapters/auth/oauth2-auth-server.js';
import { withTokenLedger } from './adapters/auth/token-ledger.js';
import { KyselyEmbeddedAccounts } from './adapters/db/kysely-embedded-accounts.js';
import { KyselyTokenLedger } from './adapters/db/kysely-token-ledger.js';
import type { Database } from './adapters/db/schema.js';
import { introspectionAnswer, withTracing } from './adapters/tracing/traced-auth-server.js';
import { tracedFetch } from './adapters/tracing/traced-fetch.js';
import type { AuthSettings } from './auth-settings.js';
import type { Config } from './config.js';
import type { Credentials } from './domain/account.js';
import type { AuthServer, RetirementChannel } from './ports/index.js';

/** What the stack is built on; the command line leaves out metrics and tracing. */
export interface AuthStackParts {
  db: Kysely<Database>;
  /** What one instance retires, every instance's cache forgets. */
  channel: RetirementChannel;
  log: Logger;
  observeAuthCall?: AuthCallObserver;
  /** With tracing on: a span and `traceparent` on every call out, a span per port call, the cache's answer on the request's span. */
  traced?: boolean;
}

export interface AuthStack {
  /** The top of the stack: what the use cases call. */
  authServer: AuthServer;
  /** The adapter alone, under every decorator. */
  adapter: AuthServer;
  /** For metrics, when there is one. */
  breaker?: BreakingAuthServer;
  cache?: CachedAuthServer;
}

type Decorator = (inner: AuthServer) => AuthServer;

/**
 * The authorization server chosen by AUTH_ADAPTER, then its decorators, innermost first: timing
 * (only calls that go out), the breaker (under the cache, so warm tokens keep working while it
 * fails fast), the token ledger (a remote server's tokens seen, issued and retired, shared by the
 * instances; the embedded one's own tables say it all), the introspection cache, tracing.
 */
export function buildAuthServer(config: Pick<Config, 'auth' | 'breaker' | 'cache'>, parts: AuthStackParts): AuthStack {
  const chosen = chooseAuthServer(config.auth, parts);
  const { channel, log } = parts;
  let breaker: BreakingAuthServer | undefined;
  let cache: CachedAuthServer | undefined;
  const decorators: (Decorator | false | undefined)[] = [
    parts.observeAuthCall && ((inner) => withInstrumentation(inner, parts.observeAuthCall!)),
    chosen.remote && ((inner) => (breaker = withCircuitBreaker(inner, config.breaker))),
    chosen.remote && chosen.cacheable && ((inner) => withTokenLedger(inner, new KyselyTokenLedger(parts.db), {
      ...(chosen.keepsTokensOnPasswordChange ? { retireOnPasswordChange: chosen.keepsTokensOnPasswordChange } : {}), channel, log,
    })),
    chosen.cacheable && ((inner) => (cache = withIntrospectionCache(inner, {
      ttlSeconds: config.cache.ttlSeconds, negativeTtlSeconds: 5, maxEntries: config.cache.maxEntries, retirements: channel,
      ...(parts.traced ? { observe: introspectionAnswer } : {}),
    }))),
    parts.traced && withTracing,
  ];
  const authServer = decorators.reduce<AuthServer>((inner, decorate) => (decorate ? decorate(inner) : inner), chosen.server);
  return { authServer, adapter: chosen.server, ...(breaker ? { breaker } : {}), ...(cache ? { cache } : {}) };
}

/** Whether the adapter signs accounts up (the others' users come from elsewhere, and must have signed in). */
export function holdsAccounts(auth: AuthSettings): boolean {
  return auth.adapter === 'embedded' || auth.adapter === 'dot';
}

interface ChosenAuthServer {
  server: AuthServer;
  /** Reached over the network: worth a circuit breaker. */
  remote: boolean;
  /** Asked about each token: worth the introspection cache. A JWT is checked locally in microseconds, so caching it would only delay revocation-like changes for nothing. */
  cacheable: boolean;
  /** Its tokens outlive a password change (DOT 1.7): Gatehouse retires the ones it has seen itself, knowing whose a password grant's are. */
  keepsTokensOnPasswordChange?: { subjectOf(credentials: Credentials): string };
}

/** The one place that knows which adapters exist: a new AUTH_ADAPTER that is not handled here does not compile. */
function chooseAuthServer(auth: AuthSettings, { db, log, traced }: AuthStackParts): ChosenAuthServer {
  const fetch = traced ? { fetch: tracedFetch(nodeFetch) } : {};
  switch (auth.adapter) {
    case 'embedded':
      return { server: new EmbeddedAuthServer(new KyselyEmbeddedAccounts(db), { passwordHashCost: auth.passwordHashCost, log }), remote: false, cacheable: true };
    case 'dot':
      return { server: new DotAuthServer({ baseUrl: auth.url, clientId: auth.clientId, clientSecret: auth.clientSecret, timeoutMs: auth.timeoutMs, ...fetch }), remote: true, cacheable: true,
        // DOT matched the username exactly against the email sent, and introspection names the username.
        keepsTokensOnPasswordChange: { subjectOf: (credentials) => credentials.email } };
    case 'oauth2':
      return { server: new OAuth2AuthServer({ serverUrl: auth.url, client: auth.client, timeoutMs: auth.timeoutMs, ...(auth.audience ? { audience: auth.audience } : {}), ...fetch }), remote: true, cacheable: true };
    case 'jwt': {
      const { url, audience, clockSkewSeconds, timeoutMs, jwksUrl, client } = auth;
      return { server: new JwtAuthServer({ serverUrl: url, audience, clockSkewSeconds, timeoutMs, ...(jwksUrl ? { jwksUrl } : {}), ...(client ? { client } : {}), ...fetch }), remote: true, cacheable: false };
    }
    default:
      return unknownAdapter(auth);
  }
}

function unknownAdapter(auth: never): never {
  throw new Error(`no adapter for ${JSON.stringify(auth)}`);
}
