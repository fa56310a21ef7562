import type { Kysely } from 'kysely';
import type { UserId } from '../../domain/account.js';
import { NotFound, VersionMismatch } from '../../domain/errors.js';
import type { Item, ItemChange, ItemDraft, ItemId, ListQuery, Page, Position } from '../../domain/item.js';
import type { ItemRepository } from '../../ports/index.js';
import { guarded } from './db-errors.js';
import { keysetPage } from './keyset-page.js';
import { itemColumns, listParameters, listQuery, placeholderValues, sortKey, toItem, type ItemRow, type ListShape } from './item-rows.js';
import { ReusableStatement } from './reusable-statement.js';
import type { Database } from './schema.js';

/** The hot statements (insert, find by id, each shape of list) are reusable statements: see reusable-statement.ts. */
export class KyselyItemRepository implements ItemRepository {
  private readonly insertStatement: ReusableStatement<ItemRow>;
  private readonly findStatement: ReusableStatement<ItemRow>;
  private readonly listStatements = new Map<string, ReusableStatement<ItemRow>>();

  constructor(private readonly db: Kysely<Database>) {
    this.insertStatement = new ReusableStatement(insertQuery(db, { name: '', description: '', price: '0' }, 0));
    this.findStatement = new ReusableStatement(findQuery(db, 0));
  }

  async insert(draft: ItemDraft, ownerId: UserId): Promise<Item> {
    const [row] = await this.run(this.insertStatement, [draft.name, draft.description, draft.price, ownerId], { itemName: draft.name });
    if (!row) throw new Error('INSERT … RETURNING returned no row');
    return toItem(row);
  }

  async findById(id: ItemId): Promise<Item | undefined> {
    const [row] = await this.run(this.findStatement, [id]);
    return row && toItem(row);
  }

  async update(id: ItemId, change: ItemChange, expectedVersion?: number): Promise<Item> {
    const { name, description, price } = change;
    // Compare-and-set in one statement: a concurrent writer either wins before us or makes us miss.
    const row = await guarded(() => this.db.updateTable('items')
      .set((eb) => ({
        ...(name !== undefined ? { name } : {}),
        ...(description !== undefined ? { description } : {}),
        ...(price !== undefined ? { price } : {}),
        version: eb('items.version', '+', 1),
        updated_at: eb.fn<Date>('now'),
      }))
      .where('items.id', '=', id)
      .$if(expectedVersion !== undefined, (qb) => qb.where('items.version', '=', expectedVersion!))
      .returning(itemColumns)
      .executeTakeFirst(), name !== undefined ? { itemName: name } : {});
    if (!row) throw await this.missError(id);
    return toItem(row);
  }

  async delete(id: ItemId, expectedVersion?: number): Promise<void> {
    const result = await guarded(() => this.db.deleteFrom('items')
      .where('items.id', '=', id)
      .$if(expectedVersion !== undefined, (qb) => qb.where('items.version', '=', expectedVersion!))
      .executeTakeFirst());
    if (result.numDeletedRows === 0n) throw await this.missError(id);
  }

  async list({ limit, ordering, from, ownerId }: ListQuery): Promise<Page> {
    const backwards = from?.direction === 'before';
    // Paging backwards reads the other way from the position, then puts the rows back in order.
    const shape: ListShape = { ordering, reversed: ordering.startsWith('-') !== backwards, byOwner: ownerId !== undefined, fromPosition: from !== undefined };
    const key = `${ordering} ${shape.reversed} ${shape.byOwner} ${shape.fromPosition}`;
    let statement = this.listStatements.get(key);
    if (!statement) {
      statement = new ReusableStatement(listQuery(this.db, shape, placeholderValues(ordering)));
      this.listStatements.set(key, statement); // at most 6 orderings × 2 directions × 2 × 2 shapes
    }
    const rows = await this.run(statement, listParameters(shape, { ownerId: ownerId ?? 0, key: from?.key ?? 0, id: from?.id ?? 0, limit: limit + 1 }));
    const { rows: items, ...edges } = keysetPage(rows.map(toItem), limit, { backwards, fromPosition: from !== undefined },
      (item, direction): Position => ({ ordering, key: sortKey(ordering, item), id: item.id, direction }));
    return { items, ...edges };
  }

  private async run(statement: ReusableStatement<ItemRow>, parameters: unknown[], hints?: { itemName?: string }): Promise<ItemRow[]> {
    const query = statement.with(parameters);
    const result = await guarded(() => this.db.executeQuery(query), hints);
    return result.rows;
  }

  private async missError(id: ItemId): Promise<NotFound | VersionMismatch> {
    const exists = await guarded(() => this.db.selectFrom('items').select('items.id').where('items.id', '=', id).executeTakeFirst());
    return exists ? new VersionMismatch(id) : new NotFound('item', id);
  }
}

/** The INSERT … RETURNING of one item; its parameters are name, description, price, owner. */
export function insertQuery(db: Kysely<Database>, draft: ItemDraft, ownerId: UserId) {
  return db.insertInto('items')
    .values({ name: draft.name, description: draft.description, price: draft.price, owner_id: ownerId }).returning(itemColumns);
}

/** The SELECT of one item by id; its one parameter is the id. */
export function findQuery(db: Kysely<Database>, id: ItemId) {
  return db.selectFrom('items').select(itemColumns).where('items.id', '=', id);
}
