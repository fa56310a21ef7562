import { DatabaseNotReached } from '../adapters/db/database-not-reached.js';
import { AuthServerBadAnswer, AuthServerUnavailable, DatabaseUnavailable, DomainError, InvalidInput } from '../domain/errors.js';

/**
 * One line for what went wrong, for the operator. Domain messages carry no password or token
 * (STYLE.md), and the causes quoted here are connection errors, which name a host and port, never
 * the credentials of a URL.
 */
export function describeFailure(err: unknown): string {
  if (err instanceof InvalidInput) {
    const byField = new Map<string, string[]>();
    for (const e of err.errors) {
      const field = (e.pointer ?? e.parameter ?? '').replace(/^\//, '') || 'input';
      byField.set(field, [...(byField.get(field) ?? []), e.message]);
    }
    return `refused by the authorization server: ${[...byField].map(([field, messages]) => `${field}: ${messages.join(' ')}`).join('; ')}`;
  }
  if (err instanceof DatabaseNotReached) return err.message;
  if (err instanceof DatabaseUnavailable) return `cannot reach the database (${causeOf(err)}); check DATABASE_URL, or DATA_DIR for the embedded PostgreSQL`;
  if (err instanceof AuthServerUnavailable) return `cannot reach the authorization server: ${err.message}${causeOf(err) ? ` (${causeOf(err)})` : ''}; check AUTH_SERVER_URL`;
  if (err instanceof AuthServerBadAnswer || err instanceof DomainError) return err.message;
  return `failed: ${err instanceof Error ? err.message : String(err)}`;
}

function causeOf(err: Error): string {
  let cause: unknown = err.cause;
  while (cause instanceof Error && cause.cause instanceof Error) cause = cause.cause;
  if (cause instanceof AggregateError && cause.errors[0] instanceof Error) cause = cause.errors[0];
  return cause instanceof Error ? cause.message : '';
}
