import type { Kysely } from 'kysely';

// Frozen in time: takes Kysely<any> and never imports application types.
export async function up(db: Kysely<any>): Promise<void> {
  // Gatehouse's own flags on its mirror of each user, whichever server owns the account: existing rows are active, not staff.
  await db.schema.alterTable('users')
    .addColumn('is_staff', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('is_active', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('last_seen_at', 'timestamptz')
    .execute();
  // The admin list pages by email as well as by id.
  await db.schema.createIndex('users_email_id_idx').on('users').columns(['email', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('users_email_id_idx').execute();
  await db.schema.alterTable('users').dropColumn('last_seen_at').dropColumn('is_active').dropColumn('is_staff').execute();
}
