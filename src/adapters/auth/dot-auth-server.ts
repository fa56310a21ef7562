import nodeFetch from 'node-fetch';
import type { Account, Credentials, Introspection, PasswordChange, SignUp, TokenPair, TokenTypeHint } from '../../domain/account.js';
import { requestedScopes } from '../../domain/scopes.js';
import { AuthServerBadAnswer, EmailTaken, InvalidGrant, InvalidToken } from '../../domain/errors.js';
import type { AuthServer } from '../../ports/auth-server.js';
import { fieldErrors, invalidInput, tokenEndpointError } from './dot-errors.js';
import { HttpClient, jsonObject, rejectServerError, unexpected, type Answer, type Fetch } from './http-client.js';
import { fixedEndpoints, OAuth2Client, type TokenRequest } from './oauth2-client.js';

export interface DotSettings {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  /** The most one call may take, connecting and reading the body included. */
  timeoutMs: number;
  fetch?: Fetch;
}

/** DOT publishes no RFC 8414 metadata; its OAuth 2 endpoints are fixed, and our client may use these grants. */
const DOT_ENDPOINTS = {
  tokenEndpoint: '/o/token/', introspectionEndpoint: '/o/introspect/', revocationEndpoint: '/o/revoke_token/',
  grantTypes: ['password', 'refresh_token'],
};

/**
 * Django OAuth Toolkit 1.7 (plus the tutorial's `/users/*` views) over HTTP. Token grants,
 * introspection and revocation are the standard OAuth 2 client's (`oauth2-client.ts`) at DOT's
 * fixed paths, with form bodies (a JSON body at `/o/*` looks like an empty request); what is DOT's
 * own is here: its `/users/*` routes, the scope it must always be sent, its HTML 500 on refresh
 * and its error mapping. DOT identifies a user by the username, which is the email exactly as it
 * was signed up; Gatehouse only ever sends it lower-cased. An active token with no username (DOT's
 * provisioned introspection token) names no user, so the client answers it inactive.
 */
export class DotAuthServer implements AuthServer {
  private readonly http: HttpClient;
  private readonly client: OAuth2Client;

  constructor(settings: DotSettings) {
    this.http = new HttpClient(settings.baseUrl, settings.timeoutMs, settings.fetch ?? nodeFetch);
    this.client = new OAuth2Client(this.http, fixedEndpoints(DOT_ENDPOINTS), {
      client: { id: settings.clientId, secret: settings.clientSecret, method: 'client_secret_basic' },
      tokenError: dotTokenError,
      clientSettings: 'AUTH_CLIENT_ID and AUTH_CLIENT_SECRET',
    });
  }

  async signUp({ email, password }: SignUp): Promise<Account> {
    const answer = rejectServerError(await this.http.send({
      method: 'POST', path: '/users/signup/', json: { email, password, password2: password },
    }));
    if (answer.status === 400) {
      const errors = fieldErrors(answer);
      if (errors.some((e) => e.pointer === '/email' && /unique|already exists/i.test(e.message))) throw new EmailTaken();
      throw invalidInput(answer);
    }
    if (answer.status !== 201) throw unexpected(answer);
    return { subject: text(answer, jsonObject(answer), 'email'), email };
  }

  issueToken(credentials: Credentials): Promise<TokenPair> {
    // Never an empty scope: DOT would then grant all its scopes, `introspection` included.
    return this.client.issueToken({ ...credentials, scopes: requestedScopes(credentials.scopes) });
  }

  refresh(refreshToken: string): Promise<TokenPair> { return this.client.refresh(refreshToken); }

  async changePassword(accessToken: string, { oldPassword, password }: PasswordChange): Promise<void> {
    const answer = rejectServerError(await this.http.send({
      method: 'PUT', path: '/users/password/', authorization: `Bearer ${accessToken}`,
      json: { old_password: oldPassword, password, password2: password },
    }));
    if (answer.status === 400) throw invalidInput(answer);
    // 403 is a token without a user (the provisioned introspection token): not a user's token either.
    if (answer.status === 401 || answer.status === 403) throw new InvalidToken();
    if (answer.status !== 200) throw unexpected(answer);
  }

  /** DOT 1.7 revokes a refresh token's access token with it. */
  revoke(token: string, hint?: TokenTypeHint): Promise<void> { return this.client.revoke(token, hint); }

  introspect(accessToken: string): Promise<Introspection> { return this.client.introspect(accessToken); }

  async ping(): Promise<void> {
    // GET on the token endpoint is a cheap 405 that proves the server is up and routing.
    rejectServerError(await this.http.send({ method: 'GET', path: DOT_ENDPOINTS.tokenEndpoint }));
  }
}

function dotTokenError(answer: Answer, request: TokenRequest): Error {
  if (request === 'refresh_token') {
    // DOT 1.7 crashes with an HTML 500 (AccessToken.DoesNotExist in get_original_scopes, DOT issues
    // #585 and #839) when the refresh token's access token was revoked: the refresh token is dead.
    if (answer.status === 500 && /html/i.test(answer.contentType)) return new InvalidGrant('the refresh token can no longer be used');
    if (answer.status === 400) return new InvalidGrant('the refresh token is invalid, expired or already used');
  }
  return tokenEndpointError(answer);
}

function text(answer: Answer, body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (typeof value !== 'string' || value === '') throw new AuthServerBadAnswer(`${answer.path} answered without a "${field}" string`);
  return value;
}
