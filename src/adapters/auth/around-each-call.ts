import type { AuthServer } from '../../ports/auth-server.js';

/** Runs one call of the port; resolves or rejects as the call did. */
export type AroundCall = <T>(call: keyof AuthServer, run: () => Promise<T>) => Promise<T>;

/**
 * The AuthServer that runs every call of `inner` through `around`, the arguments handed on as they
 * came: the one shape of the decorators that only watch (metrics, spans), so none of them can drop
 * an argument of a method it was not written for.
 */
export function aroundEachCall(inner: AuthServer, around: AroundCall): AuthServer {
  return {
    signUp: (input) => around('signUp', () => inner.signUp(input)),
    issueToken: (credentials) => around('issueToken', () => inner.issueToken(credentials)),
    refresh: (refreshToken, proof) => around('refresh', () => inner.refresh(refreshToken, proof)),
    changePassword: (accessToken, change) => around('changePassword', () => inner.changePassword(accessToken, change)),
    revoke: (token, hint) => around('revoke', () => inner.revoke(token, hint)),
    introspect: (accessToken) => around('introspect', () => inner.introspect(accessToken)),
    ping: () => around('ping', () => inner.ping()),
  };
}
