import type { Kysely } from 'kysely';

// Frozen in time: takes Kysely<any> and never imports application types.
export async function up(db: Kysely<any>): Promise<void> {
  // Django's is_superuser: only a superuser changes a staff member's or another superuser's flags.
  // No existing user becomes one: the operator names them with `npm run admin -- grant-superuser`.
  await db.schema.alterTable('users')
    .addColumn('is_superuser', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').dropColumn('is_superuser').execute();
}
