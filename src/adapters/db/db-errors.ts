import { DatabaseUnavailable, DomainError, NameTaken } from '../../domain/errors.js';

interface PgLikeError { code?: unknown; constraint?: unknown; message?: unknown }

const UNAVAILABLE_SQLSTATES = new Set([
  '57P01', // admin_shutdown: the server is stopping
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: starting up or shutting down
  '53300', // too_many_connections
  '3D000', // invalid_catalog_name: the database is gone
]);
const UNAVAILABLE_NODE_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN',
]);
// pg reports pool and socket trouble as plain Errors: only the message tells.
const UNAVAILABLE_MESSAGES = [
  /timeout exceeded when trying to connect/i,
  /connection terminated/i,
  /connection timeout/i,
  /not queryable/i,
  /cannot use a pool after calling end/i,
  /driver has already been destroyed/i,
];

/** True when the error says the database cannot be reached, not that the statement was wrong. */
export function isUnavailable(err: unknown): boolean {
  if (err instanceof DatabaseUnavailable) return true;
  if (typeof err !== 'object' || err === null) return false;
  const { code, message } = err as PgLikeError;
  if (typeof code === 'string') {
    if (code.startsWith('08') || UNAVAILABLE_SQLSTATES.has(code) || UNAVAILABLE_NODE_CODES.has(code)) return true;
  }
  if (err instanceof AggregateError && err.errors.some(isUnavailable)) return true; // ECONNREFUSED on ::1 and 127.0.0.1
  return typeof message === 'string' && UNAVAILABLE_MESSAGES.some((re) => re.test(message));
}

export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const e = err as PgLikeError | null;
  return e?.code === '23505' && (constraint === undefined || e.constraint === constraint);
}

/**
 * Maps a driver error to a domain error, keeping the original as `cause`; anything unknown is
 * returned as is (a bug, rendered as a bare 500). `itemName` names the item a unique violation is about.
 */
export function translate(err: unknown, hints: { itemName?: string } = {}): unknown {
  if (err instanceof DomainError) return err;
  if (isUnavailable(err)) return new DatabaseUnavailable({ cause: err });
  if (isUniqueViolation(err, 'items_name_key') && hints.itemName !== undefined) {
    return Object.assign(new NameTaken(hints.itemName), { cause: err });
  }
  return err;
}

/** Runs a database call, translating whatever it throws. */
export async function guarded<T>(work: () => Promise<T>, hints?: { itemName?: string }): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw translate(err, hints);
  }
}
