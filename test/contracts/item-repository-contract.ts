import { expect } from 'chai';
import type { User } from '../../src/domain/account.js';
import { NameTaken, NotFound, VersionMismatch } from '../../src/domain/errors.js';
import { ORDERINGS, type Item, type ItemDraft, type Ordering, type Page } from '../../src/domain/item.js';
import { normalizePrice } from '../../src/domain/price.js';
import type { ItemRepository, UserRepository } from '../../src/ports/index.js';
import { rejectionOf } from '../support/rejection.js';

export interface ItemRepositoryHarness {
  items: ItemRepository;
  /** Owners come from here, as in the application: items reference mirrored users. */
  users: UserRepository;
  close(): Promise<void>;
}

let counter = 0;
/** A draft as the use case hands it over: the price already normalised. */
export function aDraft(overrides: Partial<ItemDraft> = {}): ItemDraft {
  counter++;
  return { name: `item ${counter}`, description: 'a thing', price: '1.00', ...overrides };
}

/** What every ItemRepository must do; run against each adapter and the in-memory fake. */
export function itemRepositoryContract(adapter: string, open: () => Promise<ItemRepositoryHarness>): void {
  describe(`ItemRepository contract (${adapter})`, () => {
    let h: ItemRepositoryHarness;
    let alice: User;
    let bob: User;
    beforeEach(async () => {
      h = await open();
      // An item's owner is the User (id and email), not the flags authentication also reads.
      const ownerOf = ({ id, email }: User): User => ({ id, email });
      alice = ownerOf(await h.users.mirror({ subject: 'alice', email: 'alice@example.com' }));
      bob = ownerOf(await h.users.mirror({ subject: 'bob', email: 'bob@example.com' }));
    });
    afterEach(() => h.close());

    it('inserts an item and finds it again, with its owner and version 1', async () => {
      const item = await h.items.insert({ name: 'lamp', description: 'bright', price: normalizePrice('2') }, alice.id);
      expect(item).to.deep.equal({ id: item.id, name: 'lamp', description: 'bright', price: '2.00', owner: alice, version: 1 });
      expect(await h.items.findById(item.id)).to.deep.equal(item);
    });

    it('keeps prices as two-place decimal strings, up to the largest allowed', async () => {
      for (const [raw, stored] of [['12.5', '12.50'], ['0', '0.00'], ['999999999999.99', '999999999999.99'], [0.1, '0.10']] as const) {
        const item = await h.items.insert(aDraft({ price: normalizePrice(raw) }), alice.id);
        expect((await h.items.findById(item.id))!.price).to.equal(stored);
      }
    });

    it('finds nothing for an unknown id', async () => {
      expect(await h.items.findById(987654)).to.equal(undefined);
    });

    it('rejects a second item with the same name, on insert and on rename', async () => {
      await h.items.insert(aDraft({ name: 'lamp' }), alice.id);
      expect(await rejectionOf(h.items.insert(aDraft({ name: 'lamp' }), bob.id))).to.be.instanceOf(NameTaken);
      const other = await h.items.insert(aDraft({ name: 'chair' }), bob.id);
      const err = await rejectionOf(h.items.update(other.id, { name: 'lamp' }));
      expect(err).to.be.instanceOf(NameTaken);
      expect((err as NameTaken).itemName).to.equal('lamp');
      expect((await h.items.findById(other.id))!.name).to.equal('chair');
    });

    it('applies a change and bumps the version', async () => {
      const item = await h.items.insert(aDraft({ name: 'desk' }), alice.id);
      const changed = await h.items.update(item.id, { price: '7.25', description: 'oak' });
      expect(changed).to.deep.include({ name: 'desk', price: '7.25', description: 'oak', version: 2 });
      expect(await h.items.update(item.id, {})).to.deep.include({ version: 3 });
      expect(await h.items.update(item.id, { name: 'desk' }, 3)).to.deep.include({ version: 4 });
    });

    it('refuses a stale expected version on update and delete, and changes nothing', async () => {
      const item = await h.items.insert(aDraft(), alice.id);
      await h.items.update(item.id, { description: 'v2' }, 1);
      expect(await rejectionOf(h.items.update(item.id, { description: 'v3' }, 1))).to.be.instanceOf(VersionMismatch);
      expect(await rejectionOf(h.items.delete(item.id, 1))).to.be.instanceOf(VersionMismatch);
      expect(await h.items.findById(item.id)).to.deep.include({ description: 'v2', version: 2 });
    });

    it('lets exactly one of two concurrent updates with the same expected version win', async () => {
      const item = await h.items.insert(aDraft(), alice.id);
      const results = await Promise.allSettled([h.items.update(item.id, { description: 'a' }, 1), h.items.update(item.id, { description: 'b' }, 1)]);
      expect(results.filter((r) => r.status === 'fulfilled')).to.have.length(1);
      const failed = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(failed.reason).to.be.instanceOf(VersionMismatch);
    });

    it('answers NotFound for updating or deleting an unknown item, with or without a version', async () => {
      for (const version of [undefined, 1]) {
        expect(await rejectionOf(h.items.update(987654, { description: 'x' }, version))).to.be.instanceOf(NotFound);
        expect(await rejectionOf(h.items.delete(987654, version))).to.be.instanceOf(NotFound);
      }
    });

    it('deletes an item, with the right version or none', async () => {
      const a = await h.items.insert(aDraft(), alice.id);
      const b = await h.items.insert(aDraft(), alice.id);
      await h.items.delete(a.id, 1);
      await h.items.delete(b.id);
      expect(await h.items.findById(a.id)).to.equal(undefined);
      expect(await h.items.findById(b.id)).to.equal(undefined);
      expect(await rejectionOf(h.items.delete(a.id))).to.be.instanceOf(NotFound);
    });

    describe('keyset pagination', () => {
      const PRICES = ['1.00', '2.50', '2.50', '2.50', '10.00', '0.00', '2.50', '999.99', '10.00', '3.33'];
      let all: Item[];
      beforeEach(async () => {
        all = [];
        for (let i = 0; i < 23; i++) {
          const owner = i % 3 === 0 ? bob : alice;
          all.push(await h.items.insert(aDraft({ name: randomName(i), price: PRICES[i % PRICES.length]! }), owner.id));
        }
      });

      for (const ordering of ORDERINGS) {
        it(`pages through every item once, forwards and backwards, ordered by ${ordering}`, async () => {
          const expected = sortLike(all, ordering).map((i) => i.id);
          const everything = await h.items.list({ limit: 1000, ordering });
          expect(everything.items.map((i) => i.id)).to.deep.equal(expected);
          expect(everything.next).to.equal(undefined);
          expect(everything.previous).to.equal(undefined);

          const forward = await walk(h.items, ordering, 'next');
          expect(forward.pages[0]!.previous, 'the first page has no previous').to.equal(undefined);
          expect(forward.pages.at(-1)!.next, 'the last page has no next').to.equal(undefined);
          expect(forward.ids).to.deep.equal(expected);

          const backward = await walk(h.items, ordering, 'previous', forward.pages.at(-1)!);
          expect(backward.ids).to.deep.equal(expected);
          for (const page of backward.pages.slice(0, -1)) expect(page.next, 'after paging backwards there is a next page').not.to.equal(undefined);
        });
      }

      it('filters by owner and pages within that owner', async () => {
        const expected = sortLike(all.filter((i) => i.owner.id === bob.id), '-price').map((i) => i.id);
        const { ids } = await walk(h.items, '-price', 'next', undefined, bob.id);
        expect(ids).to.deep.equal(expected);
        expect((await h.items.list({ limit: 50, ordering: 'id', ownerId: alice.id })).items.every((i) => i.owner.id === alice.id)).to.equal(true);
      });
    });
  });
}

async function walk(items: ItemRepository, ordering: Ordering, way: 'next' | 'previous', start?: Page, ownerId?: number) {
  const pages: Page[] = [];
  let page = start ?? await items.list({ limit: 4, ordering, ...(ownerId !== undefined ? { ownerId } : {}) });
  for (;;) {
    pages.push(page);
    const from = page[way];
    if (!from || pages.length > 50) break;
    page = await items.list({ limit: 4, ordering, from, ...(ownerId !== undefined ? { ownerId } : {}) });
  }
  if (way === 'previous') pages.reverse();
  return { pages, ids: pages.flatMap((p) => p.items.map((i) => i.id)) };
}

/** The plain ORDER BY every ordering must agree with: sort key, then id, both in the ordering's direction. */
function sortLike(items: Item[], ordering: Ordering): Item[] {
  const sign = ordering.startsWith('-') ? -1 : 1;
  const field = ordering.replace(/^-/, '');
  const key = (i: Item) => (field === 'price' ? Number(i.price) : field === 'name' ? i.name : i.id);
  return [...items].sort((a, b) => {
    const [x, y] = [key(a), key(b)];
    return sign * ((x < y ? -1 : x > y ? 1 : 0) || a.id - b.id);
  });
}

/** Lower-case letters only: every collation (C, en_US.UTF-8) orders them alike. */
function randomName(seed: number): string {
  let n = (seed + 1) * 2654435761 % 4294967296;
  let name = '';
  for (let i = 0; i < 8; i++) { name += String.fromCharCode(97 + (n % 26)); n = Math.floor(n / 26) + seed * 7 + i; }
  return name;
}
