import type { Introspection } from '../../domain/account.js';
import { AuthServerBadAnswer, NotSupported } from '../../domain/errors.js';
import { jsonObject, unexpected, type Answer, type Fetch } from './http-client.js';
import { userClaims } from './oauth2-claims.js';
import { tokenError, type ClientCredentials } from './oauth2-client.js';
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
  constructor(private readonly settings: OAuth2Settings) {
    super(settings);
  }

  async revoke(accessToken: string): Promise<void> {
    if (accessToken === '') return;
    const { revocationEndpoint } = await this.metadata.get();
    if (!revocationEndpoint) throw new NotSupported('the authorization server has no revocation endpoint');
    const answer = await this.client.post(revocationEndpoint, { token: accessToken, token_type_hint: 'access_token' });
    if (answer.status === 200 || isError(answer, 'unsupported_token_type')) return; // RFC 7009 §2.2.1: nothing to revoke here
    throw tokenError(answer);
  }

  async introspect(accessToken: string): Promise<Introspection> {
    const { introspectionEndpoint } = await this.metadata.get();
    if (!introspectionEndpoint) throw new AuthServerBadAnswer('the authorization server metadata lists no introspection_endpoint');
    const answer = await this.client.post(introspectionEndpoint, { token: accessToken, token_type_hint: 'access_token' });
    // Servers that only issue self-contained tokens refuse to introspect them: nothing we can vouch for.
    if (isError(answer, 'unsupported_token_type')) return { active: false };
    if (answer.status === 400 || answer.status === 401 || answer.status === 403) {
      throw new AuthServerBadAnswer('the authorization server refuses to let us introspect (check AUTH_CLIENT_ID, AUTH_CLIENT_SECRET and AUTH_CLIENT_AUTH_METHOD)');
    }
    if (answer.status !== 200) throw unexpected(answer);
    const body = jsonObject(answer);
    if (body.active === false) return { active: false };
    if (body.active !== true) throw new AuthServerBadAnswer('the introspection endpoint answered without a boolean "active"');
    const user = userClaims(body, this.settings.audience);
    if (!user) return { active: false };
    if (typeof body.exp !== 'number' || !Number.isFinite(body.exp)) {
      throw new AuthServerBadAnswer('the introspection endpoint answered without a numeric "exp"');
    }
    return { ...user, exp: body.exp };
  }

  async ping(): Promise<void> {
    await this.metadata.ping();
  }
}

function isError(answer: Answer, error: string): boolean {
  if (answer.status !== 400) return false;
  try { return jsonObject(answer).error === error; } catch { return false; }
}
