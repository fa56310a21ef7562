/** Reading settings from the environment: each reader names the variable in the one line a bad value stops the start with. */

/**
 * Every setting Gatehouse reads, the one list: the readers below take only these names, so a new
 * setting that is not added here does not compile, and a test holds `.env.example` to this list.
 */
export const SETTING_NAMES = [
  'PORT', 'HOST', 'PUBLIC_URL', 'TRUST_PROXY', 'WORKERS',
  'DATABASE_URL', 'DATA_DIR', 'REDIS_URL',
  'AUTH_ADAPTER', 'PASSWORD_HASH_COST', 'AUTH_SERVER_URL', 'AUTH_TIMEOUT_MS', 'AUTH_CLIENT_ID', 'AUTH_CLIENT_SECRET',
  'AUTH_CLIENT_AUTH_METHOD', 'AUTH_AUDIENCE', 'AUTH_JWKS_URL', 'AUTH_CLOCK_SKEW_SECONDS',
  'INTROSPECTION_CACHE_TTL', 'INTROSPECTION_CACHE_SIZE', 'AUTH_BREAKER_FAILURES',
  'AUTH_BREAKER_FIRST_COOLDOWN_MS', 'AUTH_BREAKER_COOLDOWN_MS',
  'DPOP_REQUIRED', 'DPOP_IAT_WINDOW_SECONDS', 'DPOP_NONCE',
  'RATE_LIMIT_ENABLED', 'RATE_LIMIT_ACCOUNT_PER_MINUTE', 'RATE_LIMIT_ADDRESS_PER_MINUTE',
  'BODY_READS_MAX', 'BODY_READS_PER_ADDRESS', 'BODY_IDLE_TIMEOUT_MS',
  'CORS_ORIGINS', 'DOCS_ENABLED', 'METRICS_ENABLED', 'METRICS_PORT', 'METRICS_HOST', 'LOG_LEVEL',
  'OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'OTEL_TRACES_EXPORTER', 'OTEL_SDK_DISABLED',
] as const;
export type SettingName = (typeof SETTING_NAMES)[number];

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function text(env: NodeJS.ProcessEnv, key: SettingName): string | undefined {
  const value = env[key]?.trim();
  return value ? value : undefined;
}

export function integer(env: NodeJS.ProcessEnv, key: SettingName, fallback: number, min: number, max: number): number {
  const raw = text(env, key);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    throw new ConfigError(`${key} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

export function oneOf<T extends string>(env: NodeJS.ProcessEnv, key: SettingName, allowed: readonly T[], fallback: T): T {
  const raw = text(env, key);
  if (raw === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(`${key} must be one of ${allowed.join(', ')}, got "${raw}"`);
  }
  return raw as T;
}

/** The value is never echoed: a database URL usually carries a password. */
export function url(raw: string, key: SettingName, protocols: string[]): string {
  let parsed: URL;
  try { parsed = new URL(raw); } catch { throw new ConfigError(`${key} is not a valid URL`); }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(`${key} must start with ${protocols.map((p) => `${p}//`).join(' or ')}`);
  }
  return raw;
}

/**
 * An http(s) URL with no query, fragment or credentials; a trailing slash is dropped, so paths are
 * appended as `${publicUrl}/items/`. Written back as URL serialises it (host lower-cased, default
 * port dropped), the same form clients compare against.
 */
export function publicOrigin(raw: string): string {
  let parsed: URL;
  try { parsed = new URL(raw); } catch { throw new ConfigError(`PUBLIC_URL is not a valid URL, got "${raw}"`); }
  if (!['http:', 'https:'].includes(parsed.protocol) || parsed.search || parsed.hash || parsed.username || parsed.password) {
    throw new ConfigError(`PUBLIC_URL must be an http:// or https:// URL without query, fragment or credentials, like https://api.example.com, got "${raw}"`);
  }
  return `${parsed.origin}${parsed.pathname.replace(/\/+$/, '')}`;
}

/** Each origin must be exactly scheme://host[:port], as browsers send it in the Origin header. */
export function origins(env: NodeJS.ProcessEnv, key: SettingName): string[] {
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
