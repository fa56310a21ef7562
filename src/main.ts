import cluster from 'node:cluster';
import { once } from 'node:events';
import type { RequestListener, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import nodeFetch from 'node-fetch';
import { pino, type Logger } from 'pino';
import { withCircuitBreaker } from './adapters/auth/circuit-breaker.js';
import { pingAtStart } from './adapters/auth/ping-at-start.js';
import { DotAuthServer } from './adapters/auth/dot-auth-server.js';
import { EmbeddedAuthServer } from './adapters/auth/embedded-auth-server.js';
import { KyselyEmbeddedAccounts } from './adapters/db/kysely-embedded-accounts.js';
import { withInstrumentation } from './adapters/auth/instrumented-auth-server.js';
import { withIntrospectionCache } from './adapters/auth/introspection-cache.js';
import { JwtAuthServer } from './adapters/auth/jwt-auth-server.js';
import { OAuth2AuthServer } from './adapters/auth/oauth2-auth-server.js';
import { KyselyIdempotencyStore } from './adapters/db/kysely-idempotency-store.js';
import { KyselyItemRepository } from './adapters/db/kysely-item-repository.js';
import { KyselyTokenLedger } from './adapters/db/kysely-token-ledger.js';
import { PostgresRetirementChannel } from './adapters/db/postgres-retirement-channel.js';
import { withTokenLedger } from './adapters/auth/token-ledger.js';
import { KyselyProofReplayStore } from './adapters/db/kysely-proof-replay-store.js';
import { sharedSecret } from './adapters/db/shared-secret.js';
import { RedisProofReplayStore } from './adapters/redis/redis-proof-replay-store.js';
import { hmacNonces } from './adapters/http/dpop/nonces.js';
import { DPOP_ALGORITHMS, proofVerifier } from './adapters/http/dpop/proof.js';
import { KyselyUserRepository } from './adapters/db/kysely-user-repository.js';
import { openDatabase } from './adapters/db/open-database.js';
import { createApp } from './adapters/http/app.js';
import { createMetrics } from './adapters/http/middleware/metrics.js';
import { rateLimits } from './adapters/http/middleware/rate-limit.js';
import { createLimiters } from './adapters/rate-limit-store/rate-limiters.js';
import { closeGracefully } from './adapters/http/server/graceful-close.js';
import { createLimitedServer } from './adapters/http/server/server-limits.js';
import { listenForScrapes } from './adapters/http/server/metrics-listener.js';
import { loadOpenApiDocument } from './adapters/http/contract/openapi-document.js';
import { compileRequestValidators } from './adapters/http/contract/request-validator.js';
import { runClusterPrimary } from './adapters/cluster/primary.js';
import { withTraceIds } from './adapters/tracing/log-trace-ids.js';
import { serverSpans } from './adapters/tracing/server-spans.js';
import { startTracing } from './adapters/tracing/start-tracing.js';
import { introspectionAnswer, withTracing } from './adapters/tracing/traced-auth-server.js';
import { tracedFetch } from './adapters/tracing/traced-fetch.js';
import { tracedClient } from './adapters/tracing/traced-pg-client.js';
import type { AuthSettings } from './auth-settings.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import type { Credentials } from './domain/account.js';
import { withDotEnv, type DotEnv } from './dot-env.js';
import { explainAlreadyRunning, explainListenFailure, recordRunning } from './running-instance.js';
import type { AuthServer, Deps } from './ports/index.js';

export interface RunningGatehouse {
  url: string;
  /** Where GET /metrics is served when METRICS_PORT gives it a listener of its own. */
  metricsUrl?: string;
  close(): Promise<void>;
}

/** The composition root: the one place that knows which adapters exist and wires them. */
export async function startGatehouse(config: Config, logger: Logger): Promise<RunningGatehouse> {
  const document = loadOpenApiDocument();
  const validators = compileRequestValidators(document.json); // compiled once, here, never per request
  // Tracing unset: no SDK loaded and no span wired anywhere below, so requests pay nothing for it.
  const tracing = config.tracing ? await startTracing(config.tracing, String(document.json.info?.version ?? '')) : undefined;
  if (tracing) logger = withTraceIds(logger);
  const database = await openDatabase({
    ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}),
    dataDir: config.dataDir,
    log: (msg) => logger.debug({ component: 'database' }, msg),
    ...(tracing ? { decorateClient: tracedClient } : {}),
  }).catch(async (err) => { throw await explainAlreadyRunning(err, config.dataDir); });
  let forgetRunning: (() => Promise<void>) | undefined;
  let limiters: ReturnType<typeof createLimiters> | undefined;
  let retirements: PostgresRetirementChannel | undefined;
  let server: Server | undefined;
  let metricsServer: Server | undefined;
  // DPoP jtis where every instance sees them: Redis when REDIS_URL is set, else PostgreSQL.
  const redisReplays = config.redisUrl ? new RedisProofReplayStore(config.redisUrl) : undefined;
  try {
    const metrics = config.metricsEnabled ? createMetrics({ clusterWorker: cluster.isWorker }) : undefined;
    const chosen = chooseAuthServer(config.auth, database.db, logger, tracing ? tracedFetch(nodeFetch) : undefined);
    const timed = metrics ? withInstrumentation(chosen.server, metrics.observeAuthCall) : chosen.server; // times only calls that go out
    // Under the cache, so warm tokens keep working while the breaker fails fast; `breaker.state()` is for metrics.
    const breaker = chosen.remote ? withCircuitBreaker(timed, config.breaker) : undefined;
    // What one instance retires (tokens, a user's flags) every instance's caches forget: LISTEN/NOTIFY on the shared database.
    const channel = retirements = new PostgresRetirementChannel({ connectionString: database.url, db: database.db, log: logger });
    await channel.start();
    // A remote server's tokens seen, issued and retired, shared by the instances (embedded: its own tables say it all).
    const ledgered = chosen.remote && chosen.cacheable ? withTokenLedger(breaker ?? timed, new KyselyTokenLedger(database.db), {
      ...(chosen.keepsTokensOnPasswordChange ? { retireOnPasswordChange: chosen.keepsTokensOnPasswordChange } : {}), channel, log: logger,
    }) : breaker ?? timed;
    const cache = chosen.cacheable ? withIntrospectionCache(ledgered, {
      ttlSeconds: config.cache.ttlSeconds, negativeTtlSeconds: 5, maxEntries: config.cache.maxEntries, retirements: channel,
      ...(tracing ? { observe: introspectionAnswer } : {}),
    }) : undefined;
    const authServer = tracing ? withTracing(cache ?? breaker ?? timed) : cache ?? breaker ?? timed;
    const deps: Deps = {
      authServer,
      users: new KyselyUserRepository(database.db, { retirements: channel }),
      items: new KyselyItemRepository(database.db),
      idempotency: new KyselyIdempotencyStore(database.db),
      retirements: channel,
    };
    metrics?.watch({
      pool: database.poolStats, ...(breaker ? { breaker: () => breaker.state() } : {}),
      ...(cache ? { cache: () => cache.stats() } : {}),
    });
    limiters = config.rateLimit.enabled ? createLimiters({ ...config.rateLimit, ...(config.redisUrl ? { redisUrl: config.redisUrl } : {}) }, logger) : undefined;
    // Listening first: with PORT=0 the default PUBLIC_URL needs the port the system chose. No
    // request is read before `handle` is set below, in this same turn of the event loop.
    let handle: RequestListener = () => { throw new Error('a request arrived before the app was built'); };
    const listening = server = createLimitedServer((req, res) => handle(req, res)).listen(config.port, config.host);
    await once(listening, 'listening').catch((err) => { throw explainListenFailure(err, config.host, config.port); });
    const port = portOf(listening.address());
    const url = hostUrl(config.host, port);
    const publicUrl = config.publicUrl ?? defaultPublicUrl(config.host, port);
    const dpop = proofVerifier(
      { algorithms: DPOP_ALGORITHMS, iatWindowSeconds: config.dpop.iatWindowSeconds, required: config.dpop.required },
      redisReplays ?? new KyselyProofReplayStore(database.db),
      config.dpop.nonce ? hmacNonces(() => sharedSecret(database.db, 'dpop-nonce')) : undefined,
    );
    const app = createApp({
      deps, validators, logger, document, publicUrl, dpop, corsOrigins: config.corsOrigins, docsEnabled: config.docsEnabled,
      // For RFC 9728 metadata; the embedded one is this server.
      authorizationServer: config.auth.adapter === 'embedded' ? undefined : config.auth.url,
      ...(limiters ? { rateLimits: rateLimits(limiters, logger) } : {}),
      readiness: { database: () => database.ping(), authServer: () => authServer.ping() },
      ...(metrics ? { metrics, metricsElsewhere: config.metricsListener !== undefined } : {}),
      trustProxy: config.trustProxy, bodyReads: config.bodyReads,
      ...(tracing ? { traceRequests: serverSpans() } : {}),
    });
    handle = app.callback();
    if (database.mode === 'embedded') forgetRunning = await recordRunning(config.dataDir, { url, publicUrl });
    if (config.auth.adapter !== 'embedded') pingAtStart(chosen.server, config.auth.url, logger);
    // After `handle`: a request on the public port may arrive while this one starts listening.
    const scrapes = metrics && config.metricsListener ? metricsServer = await listenForScrapes(metrics, config.metricsListener, logger) : undefined;
    const metricsUrl = scrapes ? `${hostUrl(config.metricsListener!.host, portOf(scrapes.address()))}/metrics` : undefined;
    logger.info({ url, publicUrl, ...(metricsUrl ? { metricsUrl } : {}), database: database.mode, authAdapter: config.auth.adapter }, 'gatehouse is listening');
    return {
      url,
      ...(metricsUrl ? { metricsUrl } : {}),
      async close() {
        await Promise.all([closeGracefully(listening), scrapes && closeGracefully(scrapes)]);
        await forgetRunning?.();
        await limiters?.close();
        redisReplays?.close();
        await retirements?.close();
        await database.close();
        await tracing?.flush();
      },
    };
  } catch (err) {
    server?.close();
    metricsServer?.close();
    await forgetRunning?.();
    await limiters?.close();
    redisReplays?.close();
    await retirements?.close();
    await database.close();
    throw err;
  }
}

/** The port a TCP server listens on (`address()` is a string only for a pipe or socket path, which Gatehouse never uses). */
function portOf(address: AddressInfo | string | null): number {
  if (typeof address !== 'object' || address === null) throw new Error(`not listening on a TCP port: ${address}`);
  return address.port;
}

function hostUrl(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** `http://HOST:PORT`; a wildcard HOST listens everywhere but names no address a client can use. */
function defaultPublicUrl(host: string, port: number): string {
  return hostUrl(host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host, port);
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
function chooseAuthServer(auth: AuthSettings, db: ConstructorParameters<typeof KyselyEmbeddedAccounts>[0], log: Logger, traced?: typeof nodeFetch): ChosenAuthServer {
  const fetch = traced ? { fetch: traced } : {}; // with tracing on: a span and `traceparent` on every call out
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

/**
 * Log lines go out in writes of 4 KiB or more instead of one write per line: pino's default
 * stdout stream hands every line to the libuv thread pool on its own, a round trip per request
 * (measured: a log write and a wake-up per GET). A timer flushes a quiet server's lines within a
 * second; on exit, crash included, pino flushes what is left synchronously. A SIGKILL loses at
 * most the last second.
 */
function createLogger(level: Config['logLevel']): Logger {
  const destination = pino.destination({ dest: 1, minLength: 4096, sync: false });
  setInterval(() => destination.flush(), 1000).unref();
  return pino({ level, redact: ['req.headers.authorization'] }, destination);
}

/** Runs Gatehouse from the environment, until SIGTERM or SIGINT. Exported for scripts/start.mjs (`npm start`), which imports dist/ and calls it. */
export async function main(): Promise<void> {
  let config: Config;
  let dotEnv: DotEnv;
  try {
    dotEnv = withDotEnv(process.env);
    config = loadConfig(dotEnv.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(`gatehouse: ${err.message}`);
    process.exit(2);
  }
  // The OpenTelemetry SDK reads its OTEL_* variables from process.env: those a .env file set go there too.
  for (const name of dotEnv.fromFile) if (name.startsWith('OTEL_')) process.env[name] = dotEnv.env[name];
  const logger = createLogger(config.logLevel);
  if (dotEnv.fromFile.length || dotEnv.overridden.length) {
    logger.info({ fromFile: dotEnv.fromFile, overriddenByEnvironment: dotEnv.overridden }, 'settings read from .env');
  }
  if (config.workers > 1 && cluster.isPrimary) return runClusterPrimary({ workers: config.workers }, logger);
  const running = await startGatehouse(config, logger);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    running.close().then(() => process.exit(0), (err) => { logger.error({ err }, 'shutdown failed'); process.exit(1); });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((err) => {
    console.error('gatehouse: could not start:', err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
