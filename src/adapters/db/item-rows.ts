import { sql, type ExpressionBuilder, type Kysely, type RawBuilder } from 'kysely';
import type { Item, Ordering } from '../../domain/item.js';
import type { Database } from './schema.js';

export interface ItemRow {
  id: number; name: string; description: string; price: string; version: number; owner_id: number; owner_email: string | null;
}

type ItemsEb = ExpressionBuilder<Database, 'items'>;

/** The item's columns plus its owner's email; usable in SELECT and in INSERT/UPDATE … RETURNING alike. */
export function itemColumns(eb: ItemsEb) {
  return [
    'items.id', 'items.name', 'items.description', 'items.price', 'items.version', 'items.owner_id',
    eb.selectFrom('users').select('users.email').whereRef('users.id', '=', 'items.owner_id').as('owner_email'),
  ] as const;
}

export function toItem(row: ItemRow): Item {
  return {
    id: row.id, name: row.name, description: row.description, price: twoPlaces(row.price),
    owner: { id: row.owner_id, email: row.owner_email ?? '' }, version: row.version,
  };
}

const TWO_PLACES = /^-?\d+\.\d\d$/;

/** numeric(14,2) already comes back as "2.00"; this keeps the promise should the column type change. */
function twoPlaces(price: string): string {
  if (TWO_PLACES.test(price)) return price; // the common case, without the split and pad
  const [whole, fraction = ''] = String(price).split('.');
  return `${whole}.${fraction.padEnd(2, '0').slice(0, 2)}`;
}

type SortColumn = 'items.id' | 'items.name' | 'items.price';

/** The sort column for each ordering; id is always the tiebreak. */
export function sortColumn(ordering: Ordering): SortColumn {
  const field = ordering.replace(/^-/, '');
  return field === 'name' ? 'items.name' : field === 'price' ? 'items.price' : 'items.id';
}

export function sortKey(ordering: Ordering, item: Item): string | number {
  const column = sortColumn(ordering);
  return column === 'items.name' ? item.name : column === 'items.price' ? item.price : item.id;
}

/**
 * `(sort_col, id) > (key, id)` as one row-value comparison, which PostgreSQL turns into a single
 * index range scan. Keys are cast to the column's type so each ordering has one stable statement.
 */
export function keysetCondition(ordering: Ordering, op: '>' | '<', key: string | number, id: number): RawBuilder<boolean> {
  const column = sortColumn(ordering);
  const [typed, tiebreak] = keysetParameters(ordering, key, id);
  const typedKey = column === 'items.price' ? sql`cast(${typed} as numeric)`
    : column === 'items.id' ? sql`cast(${typed} as integer)` : sql`cast(${typed} as varchar)`;
  if (column === 'items.id') return sql<boolean>`items.id ${sql.raw(op)} ${typedKey}`;
  return sql<boolean>`(${sql.ref(column)}, items.id) ${sql.raw(op)} (${typedKey}, cast(${tiebreak} as integer))`;
}

/** The parameters of `keysetCondition`, in the order it binds them: the key, then the id unless sorting by id. */
export function keysetParameters(ordering: Ordering, key: string | number, id: number): [string | number] | [string | number, number] {
  return sortColumn(ordering) === 'items.id' ? [Number(key)] : [String(key), id];
}

/** What decides the text of a list statement; everything else is a parameter. */
export interface ListShape {
  ordering: Ordering;
  /** Reading against the ordering: descending forwards, or ascending backwards. */
  reversed: boolean;
  byOwner: boolean;
  fromPosition: boolean;
}

/** The values a list statement binds; placeholders of the right type when it is compiled once. */
export interface ListValues { ownerId: number; key: string | number; id: number; limit: number }

/** The SELECT of one list shape with these values. */
export function listQuery(db: Kysely<Database>, shape: ListShape, values: ListValues) {
  const direction = shape.reversed ? 'desc' : 'asc';
  const column = sortColumn(shape.ordering);
  return db.selectFrom('items')
    .select(itemColumns)
    .$if(shape.byOwner, (qb) => qb.where('items.owner_id', '=', values.ownerId))
    .$if(shape.fromPosition, (qb) => qb.where(keysetCondition(shape.ordering, shape.reversed ? '<' : '>', values.key, values.id)))
    .$if(column !== 'items.id', (qb) => qb.orderBy(column, direction))
    .orderBy('items.id', direction)
    .limit(values.limit);
}

/** listQuery's parameters, in the order it binds them: owner, keyset, limit. */
export function listParameters(shape: ListShape, values: ListValues): unknown[] {
  return [
    ...(shape.byOwner ? [values.ownerId] : []),
    ...(shape.fromPosition ? keysetParameters(shape.ordering, values.key, values.id) : []),
    values.limit,
  ];
}

/** Placeholder values: the key's type follows the sort column, so the cast in keysetCondition is the one a real key gets. */
export function placeholderValues(ordering: Ordering): ListValues {
  return { ownerId: 0, key: sortColumn(ordering) === 'items.id' ? 0 : '', id: 0, limit: 0 };
}
