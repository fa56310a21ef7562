import { SpanKind, trace } from '@opentelemetry/api';
import type { Introspection } from '../../domain/account.js';
import type { AuthServer } from '../../ports/auth-server.js';
import { aroundEachCall } from '../auth/around-each-call.js';
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
  return aroundEachCall(inner, (call, run) => (call === 'introspect'
    ? inSpan('authenticate', SpanKind.INTERNAL, {}, async (span) => {
      const answer = await run();
      span.setAttribute('gatehouse.token.active', (answer as Introspection).active);
      return answer;
    })
    : inSpan(SPAN_NAMES[call], SpanKind.INTERNAL, {}, run)));
}

const SPAN_NAMES: Record<Exclude<keyof AuthServer, 'introspect'>, string> = {
  signUp: 'auth.sign_up', issueToken: 'auth.issue_token', refresh: 'auth.refresh',
  changePassword: 'auth.change_password', revoke: 'auth.revoke', ping: 'auth.ping',
};

/** The introspection cache's observer: its answer becomes an attribute of the `authenticate` span it runs in. */
export function introspectionAnswer(answer: CacheAnswer): void {
  trace.getActiveSpan()?.setAttribute('gatehouse.introspection.cache', answer);
}
