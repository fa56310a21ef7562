import { sql, type Kysely } from 'kysely';

// Frozen in time: takes Kysely<any> and never imports application types.
export async function up(db: Kysely<any>): Promise<void> {
  // Every pair one sign-in led to through refreshes shares a family (the access hash of its first
  // pair): a rotated refresh token used again revokes the whole family. Pairs from before this
  // migration have no recorded lineage, so each is a family of its own.
  await db.schema.alterTable('embedded_auth_tokens').addColumn('family', 'text').execute();
  await sql`update embedded_auth_tokens set family = access_hash`.execute(db);
  await db.schema.alterTable('embedded_auth_tokens').alterColumn('family', (c) => c.setNotNull()).execute();
  await db.schema.createIndex('embedded_auth_tokens_family_idx').on('embedded_auth_tokens').column('family').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('embedded_auth_tokens').dropColumn('family').execute();
}
