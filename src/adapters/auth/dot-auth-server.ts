import nodeFetch from 'node-fetch';
import type { Account, Credentials, Introspection, PasswordChange, SignUp, TokenPair } from '../../domain/account.js';
import { grantedScopes, requestedScopes } from '../../domain/scopes.js';
import { AuthServerBadAnswer, EmailTaken, InvalidGrant, InvalidToken } from '../../domain/errors.js';
import type { AuthServer } from '../../ports/auth-server.js';
import { fieldErrors, invalidInput, tokenEndpointError } from './dot-errors.js';
import { basicAuthorization, HttpClient, jsonObject, rejectServerError, unexpected, type Answer, type Fetch } from './http-client.js';

export interface DotSettings {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  /** The most one call may take, connecting and reading the body included. */
  timeoutMs: number;
  fetch?: Fetch;
}

/**
 * Django OAuth Toolkit 1.7 (plus the tutorial's `/users/*` views) over HTTP. DOT identifies a user by
 * the username, which is the email exactly as it was signed up; Gatehouse only ever sends it lower-cased.
 * `/o/*` endpoints read form bodies only: a JSON body there looks like an empty request.
 */
export class DotAuthServer implements AuthServer {
  private readonly http: HttpClient;
  private readonly clientAuthorization: string;

  constructor(settings: DotSettings) {
    this.http = new HttpClient(settings.baseUrl, settings.timeoutMs, settings.fetch ?? nodeFetch);
    this.clientAuthorization = basicAuthorization(settings.clientId, settings.clientSecret);
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

  async issueToken({ email, password, scopes }: Credentials): Promise<TokenPair> {
    // Never leave `scope` out: DOT would then grant all its scopes, `introspection` included.
    const asked = requestedScopes(scopes);
    return this.token(new URLSearchParams({ grant_type: 'password', username: email, password, scope: asked.join(' ') }));
  }

  async refresh(refreshToken: string): Promise<TokenPair> {
    const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken });
    return this.token(form, (answer) => {
      // DOT 1.7 crashes with an HTML 500 (AccessToken.DoesNotExist in get_original_scopes, DOT issues
      // #585 and #839) when the refresh token's access token was revoked: the refresh token is dead.
      if (answer.status === 500 && /html/i.test(answer.contentType)) {
        throw new InvalidGrant('the refresh token can no longer be used');
      }
      if (answer.status === 400) throw new InvalidGrant('the refresh token is invalid, expired or already used');
    });
  }

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

  async revoke(accessToken: string): Promise<void> {
    if (accessToken === '') return; // DOT answers invalid_request; an empty token is merely unknown
    const answer = await this.clientPost('/o/revoke_token/', { token: accessToken, token_type_hint: 'access_token' });
    if (answer.status !== 200) throw tokenEndpointError(answer);
  }

  async introspect(accessToken: string): Promise<Introspection> {
    const answer = await this.clientPost('/o/introspect/', { token: accessToken });
    if (answer.status === 401 || answer.status === 403) {
      throw new AuthServerBadAnswer('the authorization server refuses to let us introspect (check AUTH_CLIENT_ID and AUTH_CLIENT_SECRET)');
    }
    if (answer.status !== 200) throw unexpected(answer);
    const body = jsonObject(answer);
    if (body.active === false) return { active: false };
    if (body.active !== true) throw new AuthServerBadAnswer(`${answer.path} answered without a boolean "active"`);
    // An active token with no username has no user (DOT's provisioned introspection token, a
    // client-credentials token): nobody to act for, so for Gatehouse it authenticates no one.
    if (body.username === undefined || body.username === null || body.username === '') return { active: false };
    const subject = text(answer, body, 'username');
    const scope = text(answer, body, 'scope');
    if (typeof body.exp !== 'number' || !Number.isFinite(body.exp)) {
      throw new AuthServerBadAnswer(`${answer.path} answered without a numeric "exp"`);
    }
    return { active: true, subject, email: subject.toLowerCase(), scopes: scope.split(' ').filter(Boolean), exp: body.exp };
  }

  async ping(): Promise<void> {
    // GET on the token endpoint is a cheap 405 that proves the server is up and routing.
    rejectServerError(await this.http.send({ method: 'GET', path: '/o/token/' }));
  }

  private async token(form: URLSearchParams, special?: (answer: Answer) => void): Promise<TokenPair> {
    const answer = await this.http.send({ method: 'POST', path: '/o/token/', form, authorization: this.clientAuthorization });
    special?.(answer);
    rejectServerError(answer);
    if (answer.status !== 200) throw tokenEndpointError(answer);
    const body = jsonObject(answer);
    if (typeof body.expires_in !== 'number') throw new AuthServerBadAnswer(`${answer.path} answered without a numeric "expires_in"`);
    return {
      accessToken: text(answer, body, 'access_token'),
      refreshToken: text(answer, body, 'refresh_token'),
      expiresIn: body.expires_in,
      scopes: grantedScopes(text(answer, body, 'scope')),
    };
  }

  private async clientPost(path: string, fields: Record<string, string>): Promise<Answer> {
    const answer = await this.http.send({ method: 'POST', path, form: new URLSearchParams(fields), authorization: this.clientAuthorization });
    return rejectServerError(answer);
  }
}

function text(answer: Answer, body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (typeof value !== 'string' || value === '') throw new AuthServerBadAnswer(`${answer.path} answered without a "${field}" string`);
  return value;
}
