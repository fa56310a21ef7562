import { expect } from 'chai';
import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler } from 'kysely';
import { listParameters, listQuery, placeholderValues, type ListShape, type ListValues } from '../../src/adapters/db/item-rows.js';
import { findQuery, insertQuery } from '../../src/adapters/db/kysely-item-repository.js';
import { issuedQuery } from '../../src/adapters/db/kysely-token-ledger.js';
import { findByEmailQuery } from '../../src/adapters/db/kysely-user-repository.js';
import { ReusableStatement } from '../../src/adapters/db/reusable-statement.js';
import type { Database } from '../../src/adapters/db/schema.js';
import { ORDERINGS, type Ordering } from '../../src/domain/item.js';

// Kysely compiling for PostgreSQL, with nothing to run against.
const db = new Kysely<Database>({
  dialect: {
    createAdapter: () => new PostgresAdapter(), createDriver: () => new DummyDriver(),
    createIntrospector: (k) => new PostgresIntrospector(k), createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});

const sampleKey = (ordering: Ordering): string | number =>
  ({ id: 4242, name: "Desk lamp's", price: '12.50' } as const)[ordering.replace(/^-/, '') as 'id' | 'name' | 'price'];

describe('statements compiled once, run with new values (db/reusable-statement.ts)', () => {
  it('compiles every list shape with placeholders to the SQL and parameters it compiles to with real values', () => {
    let shapes = 0;
    for (const ordering of ORDERINGS) {
      for (const reversed of [false, true]) {
        for (const byOwner of [false, true]) {
          for (const fromPosition of [false, true]) {
            const shape: ListShape = { ordering, reversed, byOwner, fromPosition };
            const values: ListValues = { ownerId: 7, key: sampleKey(ordering), id: 4242, limit: 21 };
            const reused = new ReusableStatement(listQuery(db, shape, placeholderValues(ordering)));
            const direct = listQuery(db, shape, values).compile();
            const label = JSON.stringify(shape);
            expect(reused.sql, label).to.equal(direct.sql);
            expect(reused.with(listParameters(shape, values)).parameters, label).to.deep.equal(direct.parameters);
            shapes++;
          }
        }
      }
    }
    expect(shapes).to.equal(ORDERINGS.length * 8);
  });

  it('compiles the insert and the find by id the same way', () => {
    const draft = { name: 'lamp', description: 'brass', price: '12.50' };
    const insert = insertQuery(db, draft, 7).compile();
    expect(new ReusableStatement(insertQuery(db, { name: '', description: '', price: '0' }, 0)).with(['lamp', 'brass', '12.50', 7]))
      .to.deep.include({ sql: insert.sql, parameters: insert.parameters });
    const find = findQuery(db, 4242).compile();
    expect(new ReusableStatement(findQuery(db, 0)).with([4242])).to.deep.include({ sql: find.sql, parameters: find.parameters });
  });

  it('compiles the token proxy\'s two statements the same way: the account by email, the issued pair (with or without a subject)', () => {
    const byEmail = findByEmailQuery(db, 'a@example.com').compile();
    expect(new ReusableStatement(findByEmailQuery(db, '')).with(['a@example.com']))
      .to.deep.include({ sql: byEmail.sql, parameters: byEmail.parameters });
    const placeholders = new ReusableStatement(issuedQuery(db, { tokenHash: '', refreshHash: '', keepSeconds: 0 }, ''));
    for (const subject of ['a@example.com', null]) {
      const issued = issuedQuery(db, { tokenHash: 'ab12', refreshHash: 'cd34', keepSeconds: 2_592_000 }, subject).compile();
      expect(placeholders.with(['ab12', 'cd34', 2_592_000, subject]), String(subject))
        .to.deep.include({ sql: issued.sql, parameters: issued.parameters });
    }
  });

  it('refuses a number of values that is not the number of placeholders', () => {
    const find = new ReusableStatement(findQuery(db, 0));
    expect(() => find.with([])).to.throw('0 parameters for 1 placeholders');
    expect(() => find.with([1, 2])).to.throw('2 parameters for 1 placeholders');
  });
});
