import cluster from 'node:cluster';
import { once } from 'node:events';
import type { RequestListener, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { pino, type Logger } from 'pino';
import { pingAtStart } from './adapters/auth/ping-at-start.js';
import { KyselyIdempotencyStore } from './adapters/db/kysely-idempotency-store.js';
import { KyselyItemRepository } from './adapters/db/kysely-item-repository.js';
import { PostgresRetirementChannel } from './adapters/db/postgres-retirement-channel.js';
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
import { tracedClient } from './adapters/tracing/traced-pg-client.js';
import { buildAuthServer } from './auth-stack.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { withDotEnv, type DotEnv } from './dot-env.js';
import { explainAlreadyRunning, explainListenFailure, recordRunning } from './running-instance.js';
import { applyHeapPolicy } from './heap-policy.js';
import type { Deps } from './ports/index.js';

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
  // Released in this order on close, and if the start fails part-way; what opens last is pushed last.
  const opened: (() => unknown)[] = [() => database.close()];
  const release = async () => { for (const close of [...opened].reverse()) await close(); };
  let server: Server | undefined;
  let metricsServer: Server | undefined;
  try {
    // DPoP jtis where every instance sees them: Redis when REDIS_URL is set, else PostgreSQL.
    const redisReplays = config.redisUrl ? new RedisProofReplayStore(config.redisUrl) : undefined;
    if (redisReplays) opened.push(() => redisReplays.close());
    const metrics = config.metricsEnabled ? createMetrics({ clusterWorker: cluster.isWorker }) : undefined;
    // What one instance retires (tokens, a user's flags) every instance's caches forget: LISTEN/NOTIFY on the shared database.
    const channel = new PostgresRetirementChannel({ connectionString: database.url, db: database.db, log: logger });
    opened.push(() => channel.close());
    await channel.start();
    const { authServer, adapter, breaker, cache } = buildAuthServer(config, {
      db: database.db, channel, log: logger, traced: tracing !== undefined,
      ...(metrics ? { observeAuthCall: metrics.observeAuthCall } : {}),
    });
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
    const limiters = config.rateLimit.enabled ? createLimiters({ ...config.rateLimit, ...(config.redisUrl ? { redisUrl: config.redisUrl } : {}) }, logger) : undefined;
    if (limiters) opened.push(() => limiters.close());
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
    if (database.mode === 'embedded') opened.push(await recordRunning(config.dataDir, { url, publicUrl }));
    if (config.auth.adapter !== 'embedded') pingAtStart(adapter, config.auth.url, logger);
    // After `handle`: a request on the public port may arrive while this one starts listening.
    const scrapes = metrics && config.metricsListener ? metricsServer = await listenForScrapes(metrics, config.metricsListener, logger) : undefined;
    const metricsUrl = scrapes ? `${hostUrl(config.metricsListener!.host, portOf(scrapes.address()))}/metrics` : undefined;
    logger.info({ url, publicUrl, ...(metricsUrl ? { metricsUrl } : {}), database: database.mode, authAdapter: config.auth.adapter }, 'gatehouse is listening');
    return {
      url,
      ...(metricsUrl ? { metricsUrl } : {}),
      async close() {
        await Promise.all([closeGracefully(listening), scrapes && closeGracefully(scrapes)]);
        await release();
        await tracing?.flush();
      },
    };
  } catch (err) {
    server?.close();
    metricsServer?.close();
    await release();
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
  applyHeapPolicy(); // before the first request: see heap-policy.ts
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
