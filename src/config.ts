import { availableParallelism } from 'node:os';
import { loadAuthSettings, type AuthSettings } from './auth-settings.js';
import { ConfigError, integer, oneOf, origins, publicOrigin, text, url } from './env.js';

/** Settings read from the environment once, at start; a bad value stops the start with one clear line. */
export interface Config {
  /** PORT, default 8001. */
  port: number;
  /** HOST, default 127.0.0.1: nothing is exposed beyond this machine unless asked. */
  host: string;
  /**
   * PUBLIC_URL: the origin (and path prefix, if a proxy adds one) clients reach Gatehouse at, e.g.
   * `https://api.example.com`. Every absolute URL Gatehouse writes (pagination links, RFC 9728
   * metadata, `resource_metadata` in challenges, the served document's `servers`) is built from
   * it, never from the request's Host header, which is the client's to choose. Unset: the
   * address it listens on, `http://HOST:PORT` (127.0.0.1 for a wildcard HOST).
   */
  publicUrl?: string;
  /** DATABASE_URL; unset means the embedded PostgreSQL under DATA_DIR. */
  databaseUrl?: string;
  /**
   * DATA_DIR: where the embedded PostgreSQL keeps its files. Default `.data` with the embedded adapter,
   * else `.data-<adapter>`: each mode's accounts live in its own database, so trying the embedded mode and
   * then DOT does not mix accounts that exist only in one authorization server.
   */
  dataDir: string;
  /** AUTH_ADAPTER and what that adapter needs: see auth-settings.ts. */
  auth: AuthSettings;
  /**
   * DPoP (RFC 9449), accepted with every adapter. DPOP_REQUIRED (default false): refuse plain
   * bearer tokens. DPOP_IAT_WINDOW_SECONDS (default 60): how far a proof's iat may be from now.
   * DPOP_NONCE (default false): require server-issued nonces in proofs (401 use_dpop_nonce with a
   * DPoP-Nonce header), good on every instance sharing the database.
   */
  dpop: { required: boolean; iatWindowSeconds: number; nonce: boolean };
  /** INTROSPECTION_CACHE_TTL (seconds, default 60; 0 turns caching off) and INTROSPECTION_CACHE_SIZE (10000). */
  cache: { ttlSeconds: number; maxEntries: number };
  /** LOG_LEVEL: fatal, error, warn, info (default), debug, trace or silent. */
  logLevel: string;
  /** CORS_ORIGINS: comma-separated origins browsers may call the API from; empty (default) = none. */
  corsOrigins: string[];
  /** DOCS_ENABLED: `true` (default) serves Swagger UI at /docs; `false` turns it off in production. */
  docsEnabled: boolean;
  /**
   * AUTH_BREAKER_FAILURES (default 5; 0 turns the breaker off): after this many unavailable answers
   * in a row, calls to the auth server fail fast with 503 for AUTH_BREAKER_FIRST_COOLDOWN_MS
   * (default 250), then one probe call decides whether it closes again; each failed probe doubles the
   * wait, up to AUTH_BREAKER_COOLDOWN_MS (default 1000: a server that is back is used again within it).
   */
  breaker: { failures: number; firstCooldownMs: number; maxCooldownMs: number };
  /**
   * RATE_LIMIT_ENABLED (`true` by default), RATE_LIMIT_ACCOUNT_PER_MINUTE (default 10: attempts per
   * email at /users/token/ and /users/signup/) and RATE_LIMIT_ADDRESS_PER_MINUTE (default 60:
   * requests per client address at each of those and /users/token/refresh/).
   */
  rateLimit: { enabled: boolean; accountPerMinute: number; addressPerMinute: number };
  /** REDIS_URL (`redis://…`): rate-limit counters shared by every instance using it; unset = each instance counts alone. */
  redisUrl?: string;
  /**
   * TRUST_PROXY (default 0): how many reverse proxies in front of Gatehouse append to
   * X-Forwarded-For. With 1 or more the client address is read from that header (the entry the
   * nearest trusted proxy wrote, so a client cannot pick its own); with 0 it is the socket's peer.
   */
  trustProxy: number;
  /**
   * Request bodies read at once (each up to 64 KiB, held for as long as its sender takes): past
   * BODY_READS_PER_ADDRESS (default 16) from one client address or BODY_READS_MAX (default 128) in
   * all, a request is answered 503 with Retry-After before its body is read. A body that sends
   * nothing for BODY_IDLE_TIMEOUT_MS (default 10000) is answered 408 and dropped.
   */
  bodyReads: { total: number; perAddress: number; idleMs: number };
  /** METRICS_ENABLED: `true` (default) serves Prometheus metrics at GET /metrics; `false` makes it a 404. */
  metricsEnabled: boolean;
  /**
   * METRICS_PORT (unset by default) and METRICS_HOST (default 127.0.0.1): when the port is set,
   * GET /metrics is served by a listener of its own there and the public port answers it 404;
   * unset, /metrics is on the public port, for anyone who reaches it. 0 lets the system pick.
   */
  metricsListener?: { host: string; port: number };
  /**
   * WORKERS: `1` (default) runs one process; N, or `auto` (one per CPU core), runs a node:cluster
   * primary that forks that many workers sharing the port and replaces any that dies. More than one
   * needs DATABASE_URL: the embedded PostgreSQL belongs to a single process.
   */
  workers: number;
  /**
   * OpenTelemetry traces, sent over OTLP/HTTP to `tracesUrl`: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as
   * given, or OTEL_EXPORTER_OTLP_ENDPOINT with `/v1/traces` appended (the specification's rule).
   * Unset when neither is set, or OTEL_TRACES_EXPORTER=none, or OTEL_SDK_DISABLED=true: then no
   * OpenTelemetry SDK is loaded at all. The SDK reads its other OTEL_* variables itself.
   */
  tracing?: { tracesUrl: string };
}

export { ConfigError, SETTING_NAMES } from './env.js';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
export function loadConfig(env: NodeJS.ProcessEnv): Config {
  const auth = loadAuthSettings(env);
  const config: Config = {
    port: integer(env, 'PORT', 8001, 0, 65535),
    host: text(env, 'HOST') ?? '127.0.0.1',
    dataDir: text(env, 'DATA_DIR') ?? (auth.adapter === 'embedded' ? '.data' : `.data-${auth.adapter}`),
    auth,
    dpop: {
      required: oneOf(env, 'DPOP_REQUIRED', ['true', 'false'] as const, 'false') === 'true',
      iatWindowSeconds: integer(env, 'DPOP_IAT_WINDOW_SECONDS', 60, 1, 600),
      nonce: oneOf(env, 'DPOP_NONCE', ['true', 'false'] as const, 'false') === 'true',
    },
    cache: {
      ttlSeconds: integer(env, 'INTROSPECTION_CACHE_TTL', 60, 0, 86_400),
      maxEntries: integer(env, 'INTROSPECTION_CACHE_SIZE', 10_000, 1, 10_000_000),
    },
    logLevel: oneOf(env, 'LOG_LEVEL', LOG_LEVELS, 'info'),
    corsOrigins: origins(env, 'CORS_ORIGINS'),
    docsEnabled: oneOf(env, 'DOCS_ENABLED', ['true', 'false'] as const, 'true') === 'true',
    breaker: {
      failures: integer(env, 'AUTH_BREAKER_FAILURES', 5, 0, 1000),
      firstCooldownMs: integer(env, 'AUTH_BREAKER_FIRST_COOLDOWN_MS', 250, 1, 3_600_000),
      maxCooldownMs: integer(env, 'AUTH_BREAKER_COOLDOWN_MS', 1000, 1, 3_600_000),
    },
    rateLimit: {
      enabled: oneOf(env, 'RATE_LIMIT_ENABLED', ['true', 'false'] as const, 'true') === 'true',
      accountPerMinute: integer(env, 'RATE_LIMIT_ACCOUNT_PER_MINUTE', 10, 1, 1_000_000),
      addressPerMinute: integer(env, 'RATE_LIMIT_ADDRESS_PER_MINUTE', 60, 1, 1_000_000),
    },
    trustProxy: integer(env, 'TRUST_PROXY', 0, 0, 10),
    bodyReads: {
      total: integer(env, 'BODY_READS_MAX', 128, 1, 100_000),
      perAddress: integer(env, 'BODY_READS_PER_ADDRESS', 16, 1, 100_000),
      idleMs: integer(env, 'BODY_IDLE_TIMEOUT_MS', 10_000, 100, 300_000),
    },
    metricsEnabled: oneOf(env, 'METRICS_ENABLED', ['true', 'false'] as const, 'true') === 'true',
    workers: text(env, 'WORKERS') === 'auto' ? availableParallelism() : integer(env, 'WORKERS', 1, 1, 256),
  };
  if (text(env, 'METRICS_PORT') !== undefined) {
    config.metricsListener = { host: text(env, 'METRICS_HOST') ?? '127.0.0.1', port: integer(env, 'METRICS_PORT', 0, 0, 65535) };
    if (config.metricsListener.port !== 0 && config.metricsListener.port === config.port) {
      throw new ConfigError(`METRICS_PORT=${config.metricsListener.port} is PORT too: give the metrics a port of their own, or leave METRICS_PORT unset to serve them on PORT`);
    }
  } else if (text(env, 'METRICS_HOST') !== undefined) {
    throw new ConfigError('METRICS_HOST needs METRICS_PORT: without it /metrics is served on PORT');
  }
  const publicUrl = text(env, 'PUBLIC_URL');
  if (publicUrl !== undefined) config.publicUrl = publicOrigin(publicUrl);
  const redisUrl = text(env, 'REDIS_URL');
  if (redisUrl !== undefined) config.redisUrl = url(redisUrl, 'REDIS_URL', ['redis:', 'rediss:']);
  const databaseUrl = text(env, 'DATABASE_URL');
  if (databaseUrl !== undefined) config.databaseUrl = url(databaseUrl, 'DATABASE_URL', ['postgres:', 'postgresql:']);
  if (config.workers > 1 && databaseUrl === undefined) {
    throw new ConfigError(`WORKERS=${text(env, 'WORKERS')} needs DATABASE_URL: the embedded PostgreSQL serves one process, so run several workers against a PostgreSQL server`);
  }
  const tracing = tracingSettings(env);
  if (tracing) config.tracing = tracing;
  return config;
}

function tracingSettings(env: NodeJS.ProcessEnv): Config['tracing'] {
  const exporter = oneOf(env, 'OTEL_TRACES_EXPORTER', ['otlp', 'none'] as const, 'otlp');
  const disabled = oneOf(env, 'OTEL_SDK_DISABLED', ['true', 'false'] as const, 'false') === 'true';
  const traces = text(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  const base = text(env, 'OTEL_EXPORTER_OTLP_ENDPOINT');
  if (exporter === 'none' || disabled) return undefined;
  if (traces !== undefined) return { tracesUrl: url(traces, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', ['http:', 'https:']) };
  if (base !== undefined) return { tracesUrl: `${url(base, 'OTEL_EXPORTER_OTLP_ENDPOINT', ['http:', 'https:']).replace(/\/+$/, '')}/v1/traces` };
  // OTEL_TRACES_EXPORTER=otlp alone: the specification's default endpoint, a collector on this host.
  return text(env, 'OTEL_TRACES_EXPORTER') === 'otlp' ? { tracesUrl: 'http://localhost:4318/v1/traces' } : undefined;
}

