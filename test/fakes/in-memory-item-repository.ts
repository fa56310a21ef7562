import type { User, UserId } from '../../src/domain/account.js';
import { NameTaken, NotFound, VersionMismatch } from '../../src/domain/errors.js';
import type { Item, ItemChange, ItemDraft, ItemId, ListQuery, Page, Position } from '../../src/domain/item.js';
import type { ItemRepository } from '../../src/ports/index.js';

/** Items in a Map; pagination by sorting everything, which is fine for a few hundred rows in a test. */
export class InMemoryItemRepository implements ItemRepository {
  private readonly rows = new Map<ItemId, Omit<Item, 'owner'> & { ownerId: UserId }>();
  private nextId = 1;

  constructor(private readonly userById: (id: UserId) => User) {}

  async insert(draft: ItemDraft, ownerId: UserId): Promise<Item> {
    this.assertNameFree(draft.name);
    const row = { id: this.nextId++, ...draft, ownerId, version: 1 };
    this.rows.set(row.id, row);
    return this.toItem(row);
  }

  async findById(id: ItemId): Promise<Item | undefined> {
    const row = this.rows.get(id);
    return row && this.toItem(row);
  }

  async update(id: ItemId, change: ItemChange, expectedVersion?: number): Promise<Item> {
    const row = this.existing(id, expectedVersion);
    if (change.name !== undefined && change.name !== row.name) this.assertNameFree(change.name);
    Object.assign(row, change, { version: row.version + 1 });
    return this.toItem(row);
  }

  async delete(id: ItemId, expectedVersion?: number): Promise<void> {
    this.existing(id, expectedVersion);
    this.rows.delete(id);
  }

  async list(query: ListQuery): Promise<Page> {
    const [field, sign] = query.ordering.startsWith('-') ? [query.ordering.slice(1), -1] : [query.ordering, 1];
    const keyOf = (r: Item): string | number => (field === 'price' ? r.price : field === 'name' ? r.name : r.id);
    const cmp = (a: { key: string | number; id: number }, b: { key: string | number; id: number }) =>
      sign * (compareKeys(field, a.key, b.key) || a.id - b.id);
    let all = [...this.rows.values()].map((r) => this.toItem(r))
      .filter((r) => query.ownerId === undefined || r.owner.id === query.ownerId)
      .sort((a, b) => cmp({ key: keyOf(a), id: a.id }, { key: keyOf(b), id: b.id }));
    const from = query.from;
    const backwards = from?.direction === 'before';
    if (from) all = all.filter((r) => (backwards ? cmp({ key: keyOf(r), id: r.id }, from) < 0 : cmp({ key: keyOf(r), id: r.id }, from) > 0));
    const window = backwards ? all.slice(Math.max(0, all.length - query.limit - 1)) : all.slice(0, query.limit + 1);
    const more = window.length > query.limit;
    const items = backwards ? window.slice(more ? 1 : 0) : window.slice(0, query.limit);
    const at = (r: Item, direction: Position['direction']): Position => ({ ordering: query.ordering, key: keyOf(r), id: r.id, direction });
    const first = items[0];
    const last = items[items.length - 1];
    const page: Page = { items };
    if (last && (backwards ? true : more)) page.next = at(last, 'after');
    if (first && (backwards ? more : from !== undefined)) page.previous = at(first, 'before');
    return page;
  }

  private existing(id: ItemId, expectedVersion?: number) {
    const row = this.rows.get(id);
    if (!row) throw new NotFound('item', id);
    if (expectedVersion !== undefined && row.version !== expectedVersion) throw new VersionMismatch(id);
    return row;
  }

  private assertNameFree(name: string): void {
    for (const r of this.rows.values()) if (r.name === name) throw new NameTaken(name);
  }

  private toItem({ ownerId, ...row }: Omit<Item, 'owner'> & { ownerId: UserId }): Item {
    return { ...row, owner: this.userById(ownerId) };
  }
}

function compareKeys(field: string, a: string | number, b: string | number): number {
  if (field === 'price') return Number(a) - Number(b); // two-place decimals below 10^12 compare exactly as doubles
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return a < b ? -1 : a > b ? 1 : 0;
}
