import type { Credentials, TokenPair } from '../../domain/account.js';
import { grantedScopes, requestedScopes } from '../../domain/scopes.js';
import { AuthServerBadAnswer, InvalidGrant, InvalidScope, NotSupported } from '../../domain/errors.js';
import { basicAuthorization, jsonObject, rejectServerError, unexpected, type Answer, type HttpClient } from './http-client.js';
import type { MetadataDiscovery } from './oauth2-metadata.js';

/** Gatehouse's own confidential client at the authorization server. */
export interface ClientCredentials {
  id: string;
  secret: string;
  /** RFC 6749 §2.3.1: HTTP Basic (the default every server must support) or in the form body. */
  method: 'client_secret_basic' | 'client_secret_post';
}

/**
 * Gatehouse as an OAuth 2 client: authenticated posts to the server's endpoints, and the password
 * and refresh grants forwarded to its token endpoint when its metadata lists them.
 */
export class OAuth2Client {
  constructor(
    private readonly http: HttpClient,
    private readonly metadata: MetadataDiscovery,
    private readonly client: ClientCredentials | undefined,
    /** RFC 8707 `resource`: asks for tokens meant for Gatehouse. */
    private readonly audience: string | undefined,
  ) {}

  async issueToken({ email, password, scopes }: Credentials): Promise<TokenPair> {
    const asked = requestedScopes(scopes);
    return this.grant('password', { username: email, password, scope: asked.join(' ') });
  }

  refresh(refreshToken: string): Promise<TokenPair> {
    return this.grant('refresh_token', { refresh_token: refreshToken });
  }

  /** A form post with client authentication; 5xx is already AuthServerUnavailable. */
  async post(url: string, fields: Record<string, string>): Promise<Answer> {
    if (!this.client) throw new NotSupported('Gatehouse has no client at the authorization server (set AUTH_CLIENT_ID and AUTH_CLIENT_SECRET)');
    const { id, secret, method } = this.client;
    const form = new URLSearchParams(fields);
    if (method === 'client_secret_post') { form.set('client_id', id); form.set('client_secret', secret); }
    const authorization = method === 'client_secret_basic' ? basicAuthorization(id, secret) : undefined;
    return rejectServerError(await this.http.send({ method: 'POST', path: url, form, ...(authorization ? { authorization } : {}) }));
  }

  private async grant(grantType: 'password' | 'refresh_token', fields: Record<string, string>): Promise<TokenPair> {
    const { tokenEndpoint, grantTypes } = await this.metadata.get();
    if (!tokenEndpoint || !grantTypes.includes(grantType) || !this.client) {
      throw new NotSupported(`the authorization server does not offer the ${grantType} grant to Gatehouse: get tokens from it directly`);
    }
    const answer = await this.post(tokenEndpoint, {
      grant_type: grantType, ...fields, ...(this.audience ? { resource: this.audience } : {}),
    });
    if (answer.status !== 200) throw tokenError(answer);
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
export function tokenError(answer: Answer): Error {
  if (answer.status !== 400 && answer.status !== 401) return unexpected(answer);
  const { error } = jsonObject(answer);
  if (error === 'invalid_client' || answer.status === 401) {
    // our own client id or secret is wrong, not the caller's fault
    return new AuthServerBadAnswer('the authorization server rejects our client credentials (check AUTH_CLIENT_ID, AUTH_CLIENT_SECRET and AUTH_CLIENT_AUTH_METHOD)');
  }
  if (error === 'invalid_grant' || error === 'invalid_request') return new InvalidGrant();
  if (error === 'invalid_scope' || error === 'invalid_target') return new InvalidScope();
  if (error === 'unsupported_grant_type' || error === 'unauthorized_client') {
    return new NotSupported('the authorization server does not allow Gatehouse this grant: get tokens from it directly');
  }
  return new AuthServerBadAnswer(`the authorization server refused our request with ${typeof error === 'string' ? error : 'an unknown error'}`);
}
