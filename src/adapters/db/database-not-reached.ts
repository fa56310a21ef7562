import { isUnavailable } from './db-errors.js';

/**
 * DATABASE_URL's database could not be reached at start: the message names the host, port,
 * database and user, and the cause in the operator's words. Never the password, which the URL
 * usually carries; the driver's own messages, quoted for the rarer causes, do not hold it either.
 */
export class DatabaseNotReached extends Error {
  override name = 'DatabaseNotReached';
  constructor(url: string, cause: unknown) {
    super(`cannot reach ${target(url)}: ${reason(cause)}; check DATABASE_URL`, { cause });
  }
}

/** A failure to connect or to sign in, as opposed to a statement that went wrong once connected. */
export function isConnectionFailure(err: unknown): boolean {
  const code = codeOf(err);
  return isUnavailable(err) || code === '28P01' || code === '28000';
}

function target(url: string): string {
  const parsed = new URL(url);
  const database = decodeURIComponent(parsed.pathname.slice(1)) || decodeURIComponent(parsed.username) || 'postgres';
  const user = decodeURIComponent(parsed.username) || 'the default user';
  return `the database "${database}" on ${parsed.hostname || 'localhost'}:${parsed.port || 5432} as ${parsed.username ? `user "${user}"` : user}`;
}

function reason(err: unknown): string {
  const code = codeOf(err);
  const message = messageOf(err);
  if (code === 'ECONNREFUSED') return 'connection refused (is PostgreSQL running and listening on that port?)';
  if (code === '3D000') return 'no database by that name (create it, e.g. createdb, or fix the name)';
  if (code === '28P01') return 'authentication failed: the password was refused';
  if (code === '28000') return `authentication failed (${message})`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'the host name does not resolve';
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return 'the host cannot be reached from here';
  if (code === 'ETIMEDOUT' || /timeout/i.test(message)) return 'timed out: nothing answered within 5 s (a firewall, or the wrong host or port?)';
  if (code === '57P03') return 'the server is starting up or shutting down';
  if (code === '53300') return 'the server has no connection slot left';
  return message || String(err);
}

/** pg's SQLSTATE or Node's errno code; a refused connection to a name with two addresses is an AggregateError of both. */
function codeOf(err: unknown): string | undefined {
  if (err instanceof AggregateError && err.errors[0]) return codeOf(err.errors[0]);
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function messageOf(err: unknown): string {
  if (err instanceof AggregateError && err.errors[0]) return messageOf(err.errors[0]);
  return err instanceof Error ? err.message : '';
}
