import { sql, type Kysely } from 'kysely';

// Frozen in time: takes Kysely<any> and never imports application types.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('users')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('subject', 'text', (c) => c.notNull().unique())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema.createTable('items')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('name', 'varchar(50)', (c) => c.notNull())
    .addColumn('description', 'varchar(250)', (c) => c.notNull().defaultTo(''))
    .addColumn('price', 'numeric(14, 2)', (c) => c.notNull())
    .addColumn('owner_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    // Named so db-errors can tell a taken name from any other unique violation.
    .addUniqueConstraint('items_name_key', ['name'])
    .addCheckConstraint('items_price_not_negative', sql`price >= 0`)
    .execute();

  // Keyset pagination: (name) is served by the unique constraint's index, id by the primary key.
  await db.schema.createIndex('items_price_id_idx').on('items').columns(['price', 'id']).execute();
  await db.schema.createIndex('items_owner_id_idx').on('items').columns(['owner_id', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('items').execute();
  await db.schema.dropTable('users').execute();
}
