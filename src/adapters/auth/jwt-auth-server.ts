import type { JWTVerifyGetKey } from 'jose';
import type { Introspection } from '../../domain/account.js';
import { AuthServerBadAnswer, AuthServerUnavailable } from '../../domain/errors.js';
import type { Fetch } from './http-client.js';
import { userClaims } from './oauth2-claims.js';
import type { ClientCredentials } from './oauth2-client.js';
import { RemoteAccountsAuthServer } from './remote-accounts-auth-server.js';

export interface JwtSettings {
  serverUrl: string;
  /** Gatehouse's resource identifier: every token's `aud` must name it. */
  audience: string;
  /** Overrides the metadata's `jwks_uri`. */
  jwksUrl?: string;
  /** Tolerance for `exp` and `nbf`, in seconds. */
  clockSkewSeconds: number;
  /** Only needed to forward the password and refresh grants. */
  client?: ClientCredentials;
  timeoutMs: number;
  fetch?: Fetch;
}

// RFC 9068 §4 requires asymmetric signatures; `none` and HMAC never verify.
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];

/**
 * RFC 9068 JWT access tokens checked here, with no call to the server per request: the issuer and
 * keys are fetched once and the key set again only for an unknown `kid` (jose waits 30 s between
 * such refreshes, so junk tokens cannot hammer the server). A revoked token stays valid until its
 * `exp`: keep access tokens short-lived.
 */
export class JwtAuthServer extends RemoteAccountsAuthServer {
  private keys?: JWTVerifyGetKey;

  constructor(private readonly settings: JwtSettings) {
    super(settings);
  }

  /**
   * Nothing to forward and nothing kept here: a JWT is valid until its `exp` whatever the server
   * is told, and no instance keeps a list of refused ones. Not an error (RFC 7009 §2.2).
   */
  async revoke(_token: string): Promise<void> {}

  async introspect(accessToken: string): Promise<Introspection> {
    const { issuer } = await this.metadata.get();
    const keys = await this.keySet();
    const { jwtVerify, errors } = await loadJose();
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(accessToken, keys, {
        issuer, audience: this.settings.audience, typ: 'at+jwt', algorithms: ALGORITHMS,
        clockTolerance: this.settings.clockSkewSeconds, requiredClaims: ['exp', 'sub'],
      }));
    } catch (err) {
      const failure = keySetFailure(err, errors);
      if (failure) throw failure;
      return { active: false }; // bad signature, expired, wrong issuer, audience or type: a bad token
    }
    const user = userClaims(payload, this.settings.audience);
    return user && typeof payload.exp === 'number' ? { ...user, exp: payload.exp } : { active: false };
  }

  /** Ready once the issuer is known: serving needs no more of the server than that. */
  async ping(): Promise<void> {
    await this.metadata.get();
  }

  private async keySet(): Promise<JWTVerifyGetKey> {
    if (this.keys) return this.keys;
    const jwksUri = this.settings.jwksUrl ?? (await this.metadata.get()).jwksUri;
    if (!jwksUri) throw new AuthServerBadAnswer('the authorization server metadata lists no jwks_uri (set AUTH_JWKS_URL)');
    const { createRemoteJWKSet } = await loadJose();
    this.keys ??= createRemoteJWKSet(new URL(jwksUri), { timeoutDuration: this.settings.timeoutMs });
    return this.keys;
  }
}

/** Not being able to fetch the keys is the server's failure; everything else is the token's. */
function keySetFailure(err: unknown, errors: typeof import('jose').errors): Error | undefined {
  if (err instanceof errors.JWKSTimeout) return new AuthServerUnavailable('the authorization server did not serve its keys in time', { cause: err });
  if (err instanceof errors.JWKSInvalid) return new AuthServerBadAnswer('the authorization server served an unusable key set', { cause: err });
  if (!(err instanceof errors.JOSEError)) return new AuthServerUnavailable('the authorization server did not serve its keys', { cause: err });
  if (err.code === 'ERR_JOSE_GENERIC' && /JSON Web Key Set/.test(err.message)) {
    return new AuthServerUnavailable('the authorization server did not serve its keys', { cause: err });
  }
  return undefined;
}

/**
 * jose on the first token rather than at import: main.ts imports every adapter, and jose is tens of
 * ms of start-up that only this one, when chosen, ever uses.
 */
let jose: Promise<typeof import('jose')> | undefined;
const loadJose = () => (jose ??= import('jose'));
