import { InvalidInput } from '../../../domain/errors.js';
import { ORDERINGS, type Position } from '../../../domain/item.js';
import { USER_ORDERINGS, type UserPosition } from '../../../ports/user-repository.js';

/** Where a keyset page starts, whatever it lists. */
interface KeysetPosition<O extends string> {
  ordering: O;
  key: string | number;
  id: number;
  direction: 'after' | 'before';
}

export interface CursorCodec<P> {
  encode(position: P): string;
  /** @throws InvalidInput naming `cursor` for anything this server did not make */
  decode(cursor: string): P;
}

/**
 * Cursors are opaque to clients: base64url of a small JSON array, so the format can change without
 * a contract change. Decoded, a cursor is client input like any other and is checked as strictly
 * as a request body, with a key shape per ordering, so nothing a client makes of it reaches the
 * database as a value the column cannot hold (1.5 or 2^31 as an id, 'abc' as a price, NUL in a
 * name: each was a 500).
 */
function keysetCursor<O extends string>(orderings: readonly O[], keyFits: (ordering: O, key: unknown) => boolean): CursorCodec<KeysetPosition<O>> {
  return {
    encode: (p) => Buffer.from(JSON.stringify([p.ordering, p.key, p.id, p.direction === 'after' ? 'a' : 'b'])).toString('base64url'),
    decode(cursor) {
      let decoded: unknown;
      try {
        decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
      } catch { /* falls through to the one error below */ }
      if (Array.isArray(decoded) && decoded.length === 4) {
        const [ordering, key, id, d] = decoded as unknown[];
        if (orderings.includes(ordering as O) && isId(id) && (d === 'a' || d === 'b') && keyFits(ordering as O, key)) {
          return { ordering: ordering as O, key: key as string | number, id, direction: d === 'a' ? 'after' : 'before' };
        }
      }
      throw new InvalidInput([{ parameter: 'cursor', message: 'is not a cursor this server made; use the next or previous link as given' }]);
    },
  };
}

const MAX_ID = 2_147_483_647; // id columns are PostgreSQL integers
const isId = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= MAX_ID;
/** Text as openapi.yaml's free-text strings allow it, `min` to `max` code points: no NUL, no unpaired surrogate. */
const text = (min: number, max: number) => new RegExp(`^(?:[^\\u0000\\uD800-\\uDFFF]|[\\uD800-\\uDBFF][\\uDC00-\\uDFFF]){${min},${max}}$`);
const ITEM_NAME = text(1, 50);
const EMAIL = text(1, 254);
/** A price as the server writes it (Item.price in openapi.yaml). */
const STORED_PRICE = /^\d{1,12}\.\d{2}$/;
const isText = (pattern: RegExp) => (key: unknown) => typeof key === 'string' && pattern.test(key);

const isEmail = isText(EMAIL);
const ITEM_KEYS: Record<'id' | 'name' | 'price', (key: unknown) => boolean> = { id: isId, name: isText(ITEM_NAME), price: isText(STORED_PRICE) };

export const itemCursor: CursorCodec<Position> = keysetCursor(ORDERINGS, (o, key) => ITEM_KEYS[o.replace(/^-/, '') as keyof typeof ITEM_KEYS](key));

export const userCursor: CursorCodec<UserPosition> = keysetCursor(USER_ORDERINGS, (o, key) => (o.endsWith('email') ? isEmail(key) : isId(key)));
