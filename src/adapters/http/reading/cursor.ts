import { InvalidInput } from '../../../domain/errors.js';
import { ORDERINGS, type Ordering, type Position } from '../../../domain/item.js';

/** Opaque to clients: base64url of a small JSON array, so the format can change without a contract change. */
export function encodeCursor(p: Position): string {
  return Buffer.from(JSON.stringify([p.ordering, p.key, p.id, p.direction === 'after' ? 'a' : 'b'])).toString('base64url');
}

/**
 * A cursor is client input like any other: decoded, it is checked as strictly as a request body,
 * with a key shape per ordering, so nothing a client makes of it reaches the database as a value
 * the column cannot hold (1.5 or 2^31 as an id, 'abc' as a price, NUL in a name: each was a 500).
 */
export function decodeCursor(cursor: string): Position {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch { /* falls through to the one error below */ }
  if (Array.isArray(decoded) && decoded.length === 4) {
    const [ordering, key, id, d] = decoded as unknown[];
    if (ORDERINGS.includes(ordering as Ordering) && isItemId(id) && (d === 'a' || d === 'b')
      && KEY_CHECKS[(ordering as string).replace(/^-/, '') as 'id' | 'name' | 'price'](key)) {
      return { ordering: ordering as Ordering, key: key as string | number, id, direction: d === 'a' ? 'after' : 'before' };
    }
  }
  throw new InvalidInput([{ parameter: 'cursor', message: 'is not a cursor this server made; use the next or previous link as given' }]);
}

const MAX_ID = 2_147_483_647; // the id column is a PostgreSQL integer
const isItemId = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= MAX_ID;
/** An item name as openapi.yaml's ItemName allows it: 1 to 50 code points, no NUL, no unpaired surrogate. */
const ITEM_NAME = /^(?:[^\u0000\uD800-\uDFFF]|[\uD800-\uDBFF][\uDC00-\uDFFF]){1,50}$/;
/** A price as the server writes it (Item.price in openapi.yaml). */
const STORED_PRICE = /^\d{1,12}\.\d{2}$/;

const KEY_CHECKS: Record<'id' | 'name' | 'price', (key: unknown) => boolean> = {
  id: isItemId,
  name: (key) => typeof key === 'string' && ITEM_NAME.test(key),
  price: (key) => typeof key === 'string' && STORED_PRICE.test(key),
};
