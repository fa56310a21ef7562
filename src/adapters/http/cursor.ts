import { InvalidInput } from '../../domain/errors.js';
import { ORDERINGS, type Ordering, type Position } from '../../domain/item.js';

/** Opaque to clients: base64url of a small JSON array, so the format can change without a contract change. */
export function encodeCursor(p: Position): string {
  return Buffer.from(JSON.stringify([p.ordering, p.key, p.id, p.direction === 'after' ? 'a' : 'b'])).toString('base64url');
}

export function decodeCursor(cursor: string): Position {
  try {
    const [ordering, key, id, d] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    const keyType = ordering === 'id' || ordering === '-id' ? 'number' : 'string';
    if (ORDERINGS.includes(ordering as Ordering) && typeof key === keyType && Number.isSafeInteger(id)
      && (d === 'a' || d === 'b')) {
      return { ordering: ordering as Ordering, key: key as string | number, id: id as number, direction: d === 'a' ? 'after' : 'before' };
    }
  } catch { /* falls through to the one error below */ }
  throw new InvalidInput([{ parameter: 'cursor', message: 'is not a cursor this server made; use the next or previous link as given' }]);
}
