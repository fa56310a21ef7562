import { ConfigError, integer, oneOf, text, url, type SettingName } from './env.js';

/**
 * What each authorization-server adapter needs, and nothing it does not: one shape per adapter,
 * so the composition root switches on `adapter` and every field it reads is there.
 */
export type AuthSettings = EmbeddedSettings | DotSettings | OAuth2Settings | JwtSettings;

export const AUTH_ADAPTERS = ['embedded', 'dot', 'oauth2', 'jwt'] as const;
export type AuthAdapter = (typeof AUTH_ADAPTERS)[number];

export interface EmbeddedSettings {
  adapter: 'embedded';
  /**
   * PASSWORD_HASH_COST (default 17, from 10 to 20): log2 of scrypt's N for the passwords it hashes.
   * 17 is OWASP's recommendation (N=2^17, r=8, p=1): 128 MiB and about half a second of a core per
   * hash. Each hash keeps its own parameters, so changing this never locks anyone out: older
   * hashes still verify and are rehashed at the account's next sign-in.
   */
  passwordHashCost: number;
}

/** A server Gatehouse calls over HTTP. */
interface Remote {
  /** AUTH_SERVER_URL: the server (its issuer, with `oauth2` and `jwt`: its metadata is discovered under it). */
  url: string;
  /** AUTH_TIMEOUT_MS, default 3000: how long one call to it may take. */
  timeoutMs: number;
}

/** AUTH_CLIENT_ID and AUTH_CLIENT_SECRET: Gatehouse's confidential client at the server. */
export interface ClientCredentials {
  id: string;
  secret: string;
  /** AUTH_CLIENT_AUTH_METHOD (`oauth2`, `jwt`): `client_secret_basic` (default) or `client_secret_post` (RFC 6749 §2.3.1). */
  method: 'client_secret_basic' | 'client_secret_post';
}

/** Django OAuth Toolkit: everything over HTTP, client credentials required. */
export interface DotSettings extends Remote {
  adapter: 'dot';
  clientId: string;
  clientSecret: string;
}

/** Any RFC 8414 server, tokens introspected per RFC 7662. */
export interface OAuth2Settings extends Remote {
  adapter: 'oauth2';
  client: ClientCredentials;
  /** AUTH_AUDIENCE: optional; when set a token whose `aud` does not name it is refused. */
  audience?: string;
}

/** RFC 9068 JWT access tokens, checked locally against the server's keys. */
export interface JwtSettings extends Remote {
  adapter: 'jwt';
  /** AUTH_AUDIENCE (required): Gatehouse's resource identifier, e.g. `https://api.example.com/`. */
  audience: string;
  /** AUTH_JWKS_URL: the key set, when not the metadata's `jwks_uri`. */
  jwksUrl?: string;
  /** AUTH_CLOCK_SKEW_SECONDS (default 30): tolerance for `exp` and `nbf`. */
  clockSkewSeconds: number;
  /** Only to forward token grants; without it the token routes answer 501. */
  client?: ClientCredentials;
}

/** What each adapter cannot start without. */
const REQUIRED: Record<AuthAdapter, SettingName[]> = {
  embedded: [],
  dot: ['AUTH_SERVER_URL', 'AUTH_CLIENT_ID', 'AUTH_CLIENT_SECRET'],
  oauth2: ['AUTH_SERVER_URL', 'AUTH_CLIENT_ID', 'AUTH_CLIENT_SECRET'],
  jwt: ['AUTH_SERVER_URL', 'AUTH_AUDIENCE'],
};

/** AUTH_ADAPTER and the settings of the adapter it names; a missing or bad one stops the start. */
export function loadAuthSettings(env: NodeJS.ProcessEnv): AuthSettings {
  const adapter = oneOf(env, 'AUTH_ADAPTER', AUTH_ADAPTERS, 'embedded');
  const missing = REQUIRED[adapter].filter((k) => !text(env, k));
  if (missing.length) throw new ConfigError(`AUTH_ADAPTER=${adapter} needs ${missing.join(', ')}`);
  if (adapter === 'embedded') return { adapter, passwordHashCost: integer(env, 'PASSWORD_HASH_COST', 17, 10, 20) };
  const remote: Remote = {
    url: url(text(env, 'AUTH_SERVER_URL') ?? '', 'AUTH_SERVER_URL', ['http:', 'https:']),
    timeoutMs: integer(env, 'AUTH_TIMEOUT_MS', 3000, 1, 600_000),
  };
  const id = text(env, 'AUTH_CLIENT_ID');
  const secret = text(env, 'AUTH_CLIENT_SECRET');
  if (adapter === 'dot') return { adapter, ...remote, clientId: id ?? '', clientSecret: secret ?? '' };
  const method = oneOf(env, 'AUTH_CLIENT_AUTH_METHOD', ['client_secret_basic', 'client_secret_post'] as const, 'client_secret_basic');
  const audience = text(env, 'AUTH_AUDIENCE'); // an identifier, not necessarily a URL
  if (adapter === 'oauth2') {
    return { adapter, ...remote, client: { id: id ?? '', secret: secret ?? '', method }, ...(audience ? { audience } : {}) };
  }
  if (!id !== !secret) {
    throw new ConfigError('AUTH_CLIENT_ID and AUTH_CLIENT_SECRET go together: set both (to forward token grants) or neither');
  }
  const jwksUrl = text(env, 'AUTH_JWKS_URL');
  return {
    adapter, ...remote, audience: audience ?? '', clockSkewSeconds: integer(env, 'AUTH_CLOCK_SKEW_SECONDS', 30, 0, 600),
    ...(jwksUrl ? { jwksUrl: url(jwksUrl, 'AUTH_JWKS_URL', ['http:', 'https:']) } : {}),
    ...(id && secret ? { client: { id, secret, method } } : {}),
  };
}
