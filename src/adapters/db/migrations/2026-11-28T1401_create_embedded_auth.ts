import { sql, type Kysely } from 'kysely';

// The embedded auth server's own tables: it plays a separate server, so nothing of ours references them.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('embedded_auth_accounts')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('embedded_auth_accounts_email_key', ['email'])
    .addCheckConstraint('embedded_auth_accounts_email_lower', sql`email = lower(email)`)
    .execute();

  await db.schema.createTable('embedded_auth_tokens')
    .addColumn('access_hash', 'text', (c) => c.primaryKey())
    .addColumn('refresh_hash', 'text', (c) => c.notNull().unique())
    .addColumn('account_id', 'integer', (c) => c.notNull().references('embedded_auth_accounts.id').onDelete('cascade'))
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('refresh_used', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema.createIndex('embedded_auth_tokens_account_id_idx')
    .on('embedded_auth_tokens').column('account_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('embedded_auth_tokens').execute();
  await db.schema.dropTable('embedded_auth_accounts').execute();
}
