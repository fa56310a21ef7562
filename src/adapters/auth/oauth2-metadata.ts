import { AuthServerBadAnswer } from '../../domain/errors.js';
import { jsonObject, rejectServerError, type HttpClient } from './http-client.js';

/** The parts of RFC 8414 authorization server metadata Gatehouse uses. */
export interface ServerMetadata {
  issuer: string;
  tokenEndpoint?: string;
  introspectionEndpoint?: string;
  revocationEndpoint?: string;
  jwksUri?: string;
  grantTypes: string[];
}

/**
 * Finds the server's endpoints on first use and keeps them. A failed discovery is not kept: the
 * next call tries again, so Gatehouse can start before its authorization server does.
 */
export class MetadataDiscovery {
  private known?: Promise<ServerMetadata>;

  constructor(private readonly http: HttpClient, private readonly serverUrl: string) {}

  get(): Promise<ServerMetadata> {
    this.known ??= this.discover().catch((err: unknown) => {
      this.known = undefined;
      throw err;
    });
    return this.known;
  }

  /** One uncached metadata request: proves the server answers, for readiness checks. */
  async ping(): Promise<void> {
    rejectServerError(await this.http.send({ method: 'GET', path: metadataUrls(this.serverUrl)[0]! }));
  }

  private async discover(): Promise<ServerMetadata> {
    const urls = metadataUrls(this.serverUrl);
    for (const url of urls) {
      const answer = rejectServerError(await this.http.send({ method: 'GET', path: url }));
      if (answer.status === 404) continue; // not this well-known name: try the next
      if (answer.status !== 200) throw new AuthServerBadAnswer(`${url} answered ${answer.status}`);
      return parse(jsonObject(answer), this.serverUrl, url);
    }
    throw new AuthServerBadAnswer(`no authorization server metadata at ${urls.join(' or ')} (check AUTH_SERVER_URL)`);
  }
}

/**
 * RFC 8414 §3 inserts the well-known name between host and path; OpenID Connect Discovery appends
 * it. For an issuer without a path both are the usual `/.well-known/…` URLs.
 */
export function metadataUrls(serverUrl: string): string[] {
  const issuer = new URL(serverUrl);
  const path = issuer.pathname.replace(/\/+$/, '');
  return [
    `${issuer.origin}/.well-known/oauth-authorization-server${path}`,
    `${issuer.origin}${path}/.well-known/openid-configuration`,
  ];
}

function parse(body: Record<string, unknown>, serverUrl: string, url: string): ServerMetadata {
  const issuer = body.issuer;
  // RFC 8414 §3.3: metadata naming another issuer must not be used (mix-up and impersonation).
  if (typeof issuer !== 'string' || trimSlash(issuer) !== trimSlash(serverUrl)) {
    throw new AuthServerBadAnswer(`${url} names an issuer other than AUTH_SERVER_URL`);
  }
  const endpoint = (field: string): string | undefined => {
    const value = body[field];
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || !/^https?:\/\//.test(value)) throw new AuthServerBadAnswer(`${url} has an unusable "${field}"`);
    return value;
  };
  const grants = body.grant_types_supported ?? ['authorization_code', 'implicit']; // RFC 8414 §2 default
  if (!Array.isArray(grants) || !grants.every((g) => typeof g === 'string')) {
    throw new AuthServerBadAnswer(`${url} has an unusable "grant_types_supported"`);
  }
  const metadata: ServerMetadata = { issuer, grantTypes: grants };
  const fields = {
    tokenEndpoint: 'token_endpoint', introspectionEndpoint: 'introspection_endpoint',
    revocationEndpoint: 'revocation_endpoint', jwksUri: 'jwks_uri',
  } as const;
  for (const [key, field] of Object.entries(fields) as [keyof typeof fields, string][]) {
    const value = endpoint(field);
    if (value !== undefined) metadata[key] = value;
  }
  return metadata;
}

const trimSlash = (url: string) => url.replace(/\/+$/, '');
