import type { Logger } from 'pino';
import type { AuthServer } from '../../ports/index.js';

/**
 * Asks a remote authorization server once, at start, without holding the start up: one that does
 * not answer is a warning naming its URL, so the operator reads it in the start's log rather than
 * learning it from the first 503. The start goes on either way; /readyz is the gate.
 */
export function pingAtStart(server: AuthServer, url: string, log: Logger): void {
  server.ping().then(
    () => log.debug({ authServerUrl: url }, 'the authorization server answers'),
    (err: unknown) => log.warn(
      { authServerUrl: url, reason: reasonOf(err) },
      `the authorization server at ${url} does not answer (${reasonOf(err)}); starting anyway: /readyz answers 503 until it does`,
    ),
  );
}

/** The error and its innermost cause: "the authorization server is unavailable: connect ECONNREFUSED 127.0.0.1:9". */
function reasonOf(err: unknown): string {
  let cause: unknown = err instanceof Error ? err.cause : undefined;
  while (cause instanceof Error && cause.cause instanceof Error) cause = cause.cause;
  if (cause instanceof AggregateError && cause.errors[0] instanceof Error) cause = cause.errors[0];
  const message = err instanceof Error ? err.message : String(err);
  return cause instanceof Error && cause.message && !message.includes(cause.message) ? `${message}: ${cause.message}` : message;
}
