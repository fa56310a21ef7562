import { expect } from 'chai';
import { sql } from 'kysely';
import { KyselyItemRepository } from '../../src/adapters/db/kysely-item-repository.js';
import { openedFreshPostgres } from '../support/postgres.js';

describe('statements prepared once per connection (preparing-client)', function () {
  // One connection, so pg_prepared_statements (which lists the asking session's own) sees them all.
  const database = openedFreshPostgres({ poolSize: 1 });

  it('prepares a repository statement under one name and reuses it with new parameters', async () => {
    const db = database().db;
    await sql`insert into users (subject, email) values ('s', 'p@example.com')`.execute(db);
    const items = new KyselyItemRepository(db);
    const [a, b] = [await items.insert({ name: 'a', description: '', price: '1.00' }, 1), await items.insert({ name: 'b', description: '', price: '2.00' }, 1)];
    expect((await items.findById(a.id))?.name).to.equal('a');
    expect((await items.findById(b.id))?.name).to.equal('b');
    const { rows } = await sql<{ name: string; statement: string }>`select name, statement from pg_prepared_statements`.execute(db);
    const finds = rows.filter((r) => /^select .* from "items" where "items"\."id" = \$1$/.test(r.statement));
    expect(finds.map((r) => r.name)).to.have.lengthOf(1).and.to.satisfy((names: string[]) => names[0]!.startsWith('gatehouse_'));
    expect(rows.filter((r) => r.statement.startsWith('insert into "items"'))).to.have.lengthOf(1);
  });

  it('runs a statement without parameters unnamed', async () => {
    const db = database().db;
    await sql`select 42 as answer`.execute(db);
    const { rows } = await sql<{ statement: string }>`select statement from pg_prepared_statements`.execute(db);
    expect(rows.map((r) => r.statement)).not.to.include('select 42 as answer');
  });
});
