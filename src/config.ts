/** Settings read from the environment once, at start; a bad value stops the start with one clear line. */
export interface Config {
  /** PORT, default 8001. */
  port: number;
  /** HOST, default 127.0.0.1: nothing is exposed beyond this machine unless asked. */
  host: string;
  /** DATABASE_URL; unset means the embedded PostgreSQL under DATA_DIR. */
  databaseUrl?: string;
  /** DATA_DIR, default `.data`: where the embedded PostgreSQL keeps its files. */
  dataDir: string;
  /** AUTH_ADAPTER: `embedded` (default, zero set-up) or `dot` (Django OAuth Toolkit over HTTP). */
  authAdapter: 'embedded' | 'dot';
  /** AUTH_SERVER_URL, AUTH_CLIENT_ID, AUTH_CLIENT_SECRET: required with AUTH_ADAPTER=dot. */
  authServer?: { url: string; clientId: string; clientSecret: string };
  /** AUTH_TIMEOUT_MS, default 3000: how long one call to the auth server may take. */
  authTimeoutMs: number;
  /** INTROSPECTION_CACHE_TTL (seconds, default 60; 0 turns caching off) and INTROSPECTION_CACHE_SIZE (10000). */
  cache: { ttlSeconds: number; maxEntries: number };
  /** LOG_LEVEL: fatal, error, warn, info (default), debug, trace or silent. */
  logLevel: string;
  /** CORS_ORIGINS: comma-separated origins browsers may call the API from; empty (default) = none. */
  corsOrigins: string[];
  /** DOCS_ENABLED: `true` (default) serves Swagger UI at /docs; `false` turns it off in production. */
  docsEnabled: boolean;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function loadConfig(env: NodeJS.ProcessEnv): Config {
  const authAdapter = oneOf(env, 'AUTH_ADAPTER', ['embedded', 'dot'] as const, 'embedded');
  const config: Config = {
    port: integer(env, 'PORT', 8001, 0, 65535),
    host: text(env, 'HOST') ?? '127.0.0.1',
    dataDir: text(env, 'DATA_DIR') ?? '.data',
    authAdapter,
    authTimeoutMs: integer(env, 'AUTH_TIMEOUT_MS', 3000, 1, 600_000),
    cache: {
      ttlSeconds: integer(env, 'INTROSPECTION_CACHE_TTL', 60, 0, 86_400),
      maxEntries: integer(env, 'INTROSPECTION_CACHE_SIZE', 10_000, 1, 10_000_000),
    },
    logLevel: oneOf(env, 'LOG_LEVEL', LOG_LEVELS, 'info'),
    corsOrigins: origins(env, 'CORS_ORIGINS'),
    docsEnabled: oneOf(env, 'DOCS_ENABLED', ['true', 'false'] as const, 'true') === 'true',
  };
  const databaseUrl = text(env, 'DATABASE_URL');
  if (databaseUrl !== undefined) config.databaseUrl = url(databaseUrl, 'DATABASE_URL', ['postgres:', 'postgresql:']);
  if (authAdapter === 'dot') {
    const missing = ['AUTH_SERVER_URL', 'AUTH_CLIENT_ID', 'AUTH_CLIENT_SECRET'].filter((k) => !text(env, k));
    if (missing.length) throw new ConfigError(`AUTH_ADAPTER=dot needs ${missing.join(', ')}`);
    config.authServer = {
      url: url(text(env, 'AUTH_SERVER_URL')!, 'AUTH_SERVER_URL', ['http:', 'https:']),
      clientId: text(env, 'AUTH_CLIENT_ID')!,
      clientSecret: text(env, 'AUTH_CLIENT_SECRET')!,
    };
  }
  return config;
}

function text(env: NodeJS.ProcessEnv, key: string): string | undefined {
  const value = env[key]?.trim();
  return value ? value : undefined;
}

function integer(env: NodeJS.ProcessEnv, key: string, fallback: number, min: number, max: number): number {
  const raw = text(env, key);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    throw new ConfigError(`${key} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function oneOf<T extends string>(env: NodeJS.ProcessEnv, key: string, allowed: readonly T[], fallback: T): T {
  const raw = text(env, key);
  if (raw === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(`${key} must be one of ${allowed.join(', ')}, got "${raw}"`);
  }
  return raw as T;
}

/** The value is never echoed: a database URL usually carries a password. */
function url(raw: string, key: string, protocols: string[]): string {
  let parsed: URL;
  try { parsed = new URL(raw); } catch { throw new ConfigError(`${key} is not a valid URL`); }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(`${key} must start with ${protocols.map((p) => `${p}//`).join(' or ')}`);
  }
  return raw;
}

/** Each origin must be exactly scheme://host[:port], as browsers send it in the Origin header. */
function origins(env: NodeJS.ProcessEnv, key: string): string[] {
  const list = (text(env, key) ?? '').split(',').map((o) => o.trim()).filter(Boolean);
  for (const origin of list) {
    let parsed: URL | undefined;
    try { parsed = new URL(origin); } catch { /* reported below */ }
    if (!parsed || parsed.origin !== origin) {
      throw new ConfigError(`${key} must list origins like https://app.example.com (no path or trailing slash), got "${origin}"`);
    }
  }
  return list;
}
