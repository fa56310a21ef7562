import type { Kysely } from 'kysely';

// Frozen in time: takes Kysely<any> and never imports application types.
export async function up(db: Kysely<any>): Promise<void> {
  // What the instances know of a remote server's tokens (DOT keeps them valid across a password
  // change, and answers introspection without iat): access tokens by hash, with the subject an
  // introspection named and the refresh token issued with it when the pair came through Gatehouse.
  // A row with retired_at is refused by every instance whatever the server says.
  await db.schema.createTable('seen_tokens')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('refresh_hash', 'text', (c) => c.unique())
    .addColumn('subject', 'text')
    .addColumn('retired_at', 'timestamptz')
    .addColumn('keep_until', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('seen_tokens_subject_idx').on('seen_tokens').column('subject').execute();
  await db.schema.createIndex('seen_tokens_keep_until_idx').on('seen_tokens').column('keep_until').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('seen_tokens').execute();
}
