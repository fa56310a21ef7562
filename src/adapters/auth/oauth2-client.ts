import type { Credentials, Introspection, TokenPair, TokenTypeHint } from '../../domain/account.js';
import { grantedScopes, requestedScopes } from '../../domain/scopes.js';
import { AuthServerBadAnswer, InvalidGrant, InvalidScope, NotSupported } from '../../domain/errors.js';
import { basicAuthorization, jsonObject, rejectServerError, serverError, unexpected, type Answer, type HttpClient } from './http-client.js';
import { userClaims } from './oauth2-claims.js';

/** Gatehouse's own confidential client at the authorization server. */
export interface ClientCredentials {
  id: string;
  secret: string;
  /** RFC 6749 §2.3.1: HTTP Basic (the default every server must support) or in the form body. */
  method: 'client_secret_basic' | 'client_secret_post';
}

/** Where the server's endpoints are (absolute URLs, or paths under its URL) and the grants it offers. */
export interface OAuth2Endpoints {
  tokenEndpoint?: string;
  introspectionEndpoint?: string;
  revocationEndpoint?: string;
  grantTypes: string[];
}

/**
 * What tells the client where to send its requests: RFC 8414 discovery (`MetadataDiscovery`), or
 * `fixedEndpoints` for a server that publishes no metadata but has known paths (DOT).
 */
export interface Endpoints {
  get(): Promise<OAuth2Endpoints>;
}

export function fixedEndpoints(endpoints: OAuth2Endpoints): Endpoints {
  const known = Promise.resolve(endpoints);
  return { get: () => known };
}

/** A request whose refusal is an RFC 6749 §5.2 error (RFC 7009 §2.2.1 uses the same shape). */
export type TokenRequest = 'password' | 'refresh_token' | 'revocation';

export interface OAuth2ClientSettings {
  client?: ClientCredentials;
  /** RFC 8707 `resource`: asks for tokens meant for Gatehouse, and requires it in an introspected `aud`. */
  audience?: string;
  /**
   * What a refused token or revocation request means: any status but 200, 5xx included, so a
   * server's own failures can be read before they count as unavailable. Default: `tokenError`.
   */
  tokenError?: (answer: Answer, request: TokenRequest) => Error;
  /** The settings named when the server refuses our client. */
  clientSettings?: string;
}

const CLIENT_SETTINGS = 'AUTH_CLIENT_ID, AUTH_CLIENT_SECRET and AUTH_CLIENT_AUTH_METHOD';

/**
 * Gatehouse as an OAuth 2 client: the password and refresh grants (RFC 6749) forwarded to the
 * token endpoint when the server offers them, introspection (RFC 7662) and revocation (RFC 7009),
 * all with client authentication, at the endpoints `Endpoints` names.
 */
export class OAuth2Client {
  private readonly client: ClientCredentials | undefined;
  private readonly audience: string | undefined;
  private readonly tokenError: (answer: Answer, request: TokenRequest) => Error;
  private readonly clientSettings: string;

  constructor(private readonly http: HttpClient, private readonly endpoints: Endpoints, settings: OAuth2ClientSettings) {
    this.client = settings.client;
    this.audience = settings.audience;
    this.clientSettings = settings.clientSettings ?? CLIENT_SETTINGS;
    this.tokenError = settings.tokenError ?? ((answer) => tokenError(answer, this.clientSettings));
  }

  /** `scope` is always sent: a server is never left to fill in its default (see `requestedScopes`). */
  async issueToken({ email, password, scopes }: Credentials): Promise<TokenPair> {
    const asked = requestedScopes(scopes);
    return this.grant('password', { username: email, password, scope: asked.join(' ') });
  }

  refresh(refreshToken: string): Promise<TokenPair> {
    return this.grant('refresh_token', { refresh_token: refreshToken });
  }

  /** An unknown token is no error, nor one the server cannot revoke (RFC 7009 §2.2.1). */
  async revoke(token: string, hint: TokenTypeHint = 'access_token'): Promise<void> {
    if (token === '') return; // servers answer invalid_request; an empty token is merely unknown
    const { revocationEndpoint } = await this.endpoints.get();
    if (!revocationEndpoint) throw new NotSupported('the authorization server has no revocation endpoint');
    const answer = await this.post(revocationEndpoint, { token, token_type_hint: hint });
    if (answer.status === 200 || isError(answer, 'unsupported_token_type')) return;
    throw this.tokenError(answer, 'revocation');
  }

  /**
   * An active token that names no user (a client acting for itself) or, with an audience set, not
   * Gatehouse among its `aud` authenticates no one here: inactive.
   */
  async introspect(accessToken: string): Promise<Introspection> {
    const { introspectionEndpoint } = await this.endpoints.get();
    if (!introspectionEndpoint) throw new AuthServerBadAnswer('the authorization server metadata lists no introspection_endpoint');
    const answer = rejectServerError(await this.post(introspectionEndpoint, { token: accessToken, token_type_hint: 'access_token' }));
    // Servers that only issue self-contained tokens refuse to introspect them: nothing we can vouch for.
    if (isError(answer, 'unsupported_token_type')) return { active: false };
    if (answer.status === 400 || answer.status === 401 || answer.status === 403) {
      throw new AuthServerBadAnswer(`the authorization server refuses to let us introspect (check ${this.clientSettings})`);
    }
    if (answer.status !== 200) throw unexpected(answer);
    const body = jsonObject(answer);
    if (body.active === false) return { active: false };
    if (body.active !== true) throw new AuthServerBadAnswer('the introspection endpoint answered without a boolean "active"');
    const user = userClaims(body, this.audience);
    if (!user) return { active: false };
    if (typeof body.exp !== 'number' || !Number.isFinite(body.exp)) {
      throw new AuthServerBadAnswer('the introspection endpoint answered without a numeric "exp"');
    }
    return { ...user, exp: body.exp };
  }

  /** A form post with client authentication; the answer as it came, 5xx included. */
  private async post(url: string, fields: Record<string, string>): Promise<Answer> {
    if (!this.client) throw new NotSupported('Gatehouse has no client at the authorization server (set AUTH_CLIENT_ID and AUTH_CLIENT_SECRET)');
    const { id, secret, method } = this.client;
    const form = new URLSearchParams(fields);
    if (method === 'client_secret_post') { form.set('client_id', id); form.set('client_secret', secret); }
    const authorization = method === 'client_secret_basic' ? basicAuthorization(id, secret) : undefined;
    return this.http.send({ method: 'POST', path: url, form, ...(authorization ? { authorization } : {}) });
  }

  private async grant(grantType: 'password' | 'refresh_token', fields: Record<string, string>): Promise<TokenPair> {
    const { tokenEndpoint, grantTypes } = await this.endpoints.get();
    if (!tokenEndpoint || !grantTypes.includes(grantType) || !this.client) {
      throw new NotSupported(`the authorization server does not offer the ${grantType} grant to Gatehouse: get tokens from it directly`);
    }
    const answer = await this.post(tokenEndpoint, {
      grant_type: grantType, ...fields, ...(this.audience ? { resource: this.audience } : {}),
    });
    if (answer.status !== 200) throw this.tokenError(answer, grantType);
    const body = jsonObject(answer);
    const text = (field: string) => {
      const value = body[field];
      if (typeof value !== 'string' || value === '') throw new AuthServerBadAnswer(`the token endpoint answered without a "${field}" string`);
      return value;
    };
    if (typeof body.expires_in !== 'number') throw new AuthServerBadAnswer('the token endpoint answered without a numeric "expires_in"');
    return {
      accessToken: text('access_token'),
      refreshToken: text('refresh_token'),
      expiresIn: body.expires_in,
      // RFC 6749 §5.1: no `scope` means exactly what was asked for
      scopes: grantedScopes(typeof body.scope === 'string' ? body.scope : fields.scope ?? ''),
    };
  }
}

/** An RFC 6749 §5.2 error turned into what it means for Gatehouse. */
export function tokenError(answer: Answer, clientSettings = CLIENT_SETTINGS): Error {
  if (answer.status >= 500) return serverError(answer);
  if (answer.status !== 400 && answer.status !== 401) return unexpected(answer);
  const { error } = jsonObject(answer);
  if (error === 'invalid_client' || answer.status === 401) {
    // our own client id or secret is wrong, not the caller's fault
    return new AuthServerBadAnswer(`the authorization server rejects our client credentials (check ${clientSettings})`);
  }
  if (error === 'invalid_grant' || error === 'invalid_request') return new InvalidGrant();
  if (error === 'invalid_scope' || error === 'invalid_target') return new InvalidScope();
  if (error === 'unsupported_grant_type' || error === 'unauthorized_client') {
    return new NotSupported('the authorization server does not allow Gatehouse this grant: get tokens from it directly');
  }
  return new AuthServerBadAnswer(`the authorization server refused our request with ${typeof error === 'string' ? error : 'an unknown error'}`);
}

function isError(answer: Answer, error: string): boolean {
  if (answer.status !== 400) return false;
  try { return jsonObject(answer).error === error; } catch { return false; }
}
