import { InvalidInput } from '../../../domain/errors.js';
import { USER_ORDERINGS, type UserOrdering, type UserPosition } from '../../../ports/user-repository.js';

/** Opaque to clients, like the items' cursor: base64url of a small JSON array. */
export function encodeUserCursor(p: UserPosition): string {
  return Buffer.from(JSON.stringify([p.ordering, p.key, p.id, p.direction === 'after' ? 'a' : 'b'])).toString('base64url');
}

const MAX_ID = 2_147_483_647;
const isId = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= MAX_ID;
/** An email as stored: at most 254 characters, no NUL, no unpaired surrogate. */
const EMAIL = /^(?:[^\u0000\uD800-\uDFFF]|[\uD800-\uDBFF][\uDC00-\uDFFF]){1,254}$/;

/** Checked as strictly as a body: a key of the ordering's type and range, nothing else. */
export function decodeUserCursor(cursor: string): UserPosition {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch { /* the one error below */ }
  if (Array.isArray(decoded) && decoded.length === 4) {
    const [ordering, key, id, d] = decoded as unknown[];
    const byEmail = ordering === 'email' || ordering === '-email';
    if (USER_ORDERINGS.includes(ordering as UserOrdering) && isId(id) && (d === 'a' || d === 'b')
      && (byEmail ? typeof key === 'string' && EMAIL.test(key) : isId(key))) {
      return { ordering: ordering as UserOrdering, key: key as string | number, id, direction: d === 'a' ? 'after' : 'before' };
    }
  }
  throw new InvalidInput([{ parameter: 'cursor', message: 'is not a cursor this server made; use the next or previous link as given' }]);
}
