import nodeFetch from 'node-fetch';
import type { Account, Credentials, Introspection, PasswordChange, SignUp, TokenPair, TokenTypeHint } from '../../domain/account.js';
import { NotSupported } from '../../domain/errors.js';
import type { AuthServer } from '../../ports/auth-server.js';
import { HttpClient, type Fetch } from './http-client.js';
import { OAuth2Client, type ClientCredentials } from './oauth2-client.js';
import { MetadataDiscovery } from './oauth2-metadata.js';

export interface RemoteServerSettings {
  /** The issuer: metadata is discovered under it (RFC 8414, then OpenID Connect Discovery). */
  serverUrl: string;
  client?: ClientCredentials;
  /** Gatehouse's resource identifier. */
  audience?: string;
  timeoutMs: number;
  fetch?: Fetch;
}

/**
 * What the `oauth2` and `jwt` adapters share: a standards-compliant server found through its
 * metadata, the password and refresh grants forwarded to its token endpoint, and accounts that
 * are the server's business (no standard sign-up or password change, so those are NotSupported).
 * The subclasses differ in how a token is checked.
 */
export abstract class RemoteAccountsAuthServer implements AuthServer {
  protected readonly metadata: MetadataDiscovery;
  protected readonly client: OAuth2Client;

  constructor(settings: RemoteServerSettings) {
    const http = new HttpClient(settings.serverUrl, settings.timeoutMs, settings.fetch ?? nodeFetch);
    this.metadata = new MetadataDiscovery(http, settings.serverUrl);
    this.client = new OAuth2Client(http, this.metadata, { client: settings.client, audience: settings.audience });
  }

  async signUp(_input: SignUp): Promise<Account> {
    throw new NotSupported('sign-up is not available here: create accounts at the authorization server');
  }

  async changePassword(_accessToken: string, _change: PasswordChange): Promise<void> {
    throw new NotSupported('password change is not available here: change it at the authorization server');
  }

  issueToken(credentials: Credentials): Promise<TokenPair> { return this.client.issueToken(credentials); }

  refresh(refreshToken: string): Promise<TokenPair> { return this.client.refresh(refreshToken); }

  abstract revoke(token: string, hint?: TokenTypeHint): Promise<void>;
  abstract introspect(accessToken: string): Promise<Introspection>;
  abstract ping(): Promise<void>;
}
