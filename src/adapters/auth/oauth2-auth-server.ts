import type { Introspection, TokenTypeHint } from '../../domain/account.js';
import type { Fetch } from './http-client.js';
import type { ClientCredentials } from './oauth2-client.js';
import { RemoteAccountsAuthServer } from './remote-accounts-auth-server.js';

export interface OAuth2Settings {
  /** The issuer: metadata is discovered under it (RFC 8414, then OpenID Connect Discovery). */
  serverUrl: string;
  client: ClientCredentials;
  /** Gatehouse's resource identifier: asked for as `resource` and required in `aud` when set. */
  audience?: string;
  timeoutMs: number;
  fetch?: Fetch;
}

/**
 * Any standards-compliant authorization server: RFC 8414 discovery, RFC 7662 introspection,
 * RFC 7009 revocation, and the token grants it lists. Accounts are the server's business: it has
 * no standard sign-up or password change, so those are NotSupported.
 */
export class OAuth2AuthServer extends RemoteAccountsAuthServer {
  constructor(settings: OAuth2Settings) {
    super(settings);
  }

  /** At the metadata's revocation_endpoint; NotSupported when it lists none. */
  revoke(token: string, hint?: TokenTypeHint): Promise<void> { return this.client.revoke(token, hint); }

  introspect(accessToken: string): Promise<Introspection> { return this.client.introspect(accessToken); }

  async ping(): Promise<void> {
    await this.metadata.ping();
  }
}
