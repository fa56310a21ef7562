import { SpanKind, trace } from '@opentelemetry/api';
import type { Account, Credentials, Introspection, PasswordChange, ProofOfPossession, SignUp, TokenPair } from '../../domain/account.js';
import type { AuthServer } from '../../ports/auth-server.js';
import type { CacheAnswer } from '../auth/introspection-cache.js';
import { inSpan } from './in-span.js';

/**
 * A span for each use of the AuthServer port, outermost (above the introspection cache), so the
 * trace shows every authentication and token operation whether or not it went out: `authenticate`
 * carries the cache's answer (see `introspectionAnswer`), and the calls that did go out show under
 * it as HTTP client spans (tracedFetch) or, embedded, as statements and the password-check wait.
 * No argument is recorded: they are tokens, passwords and emails.
 */
export function withTracing(inner: AuthServer): AuthServer {
  const span = <T>(name: string, run: () => Promise<T>) => inSpan(name, SpanKind.INTERNAL, {}, run);
  return {
    signUp: (input: SignUp): Promise<Account> => span('auth.sign_up', () => inner.signUp(input)),
    issueToken: (credentials: Credentials): Promise<TokenPair> => span('auth.issue_token', () => inner.issueToken(credentials)),
    refresh: (refreshToken: string, proof?: ProofOfPossession): Promise<TokenPair> => span('auth.refresh', () => inner.refresh(refreshToken, proof)),
    changePassword: (accessToken: string, change: PasswordChange): Promise<void> =>
      span('auth.change_password', () => inner.changePassword(accessToken, change)),
    revoke: (accessToken: string): Promise<void> => span('auth.revoke', () => inner.revoke(accessToken)),
    introspect: (accessToken: string): Promise<Introspection> => inSpan('authenticate', SpanKind.INTERNAL, {}, async (s) => {
      const claims = await inner.introspect(accessToken);
      s.setAttribute('gatehouse.token.active', claims.active);
      return claims;
    }),
    ping: (): Promise<void> => span('auth.ping', () => inner.ping()),
  };
}

/** The introspection cache's observer: its answer becomes an attribute of the `authenticate` span it runs in. */
export function introspectionAnswer(answer: CacheAnswer): void {
  trace.getActiveSpan()?.setAttribute('gatehouse.introspection.cache', answer);
}
