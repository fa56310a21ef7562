import { sql, type Kysely } from 'kysely';

// Frozen in time: takes Kysely<any> and never imports application types.
export async function up(db: Kysely<any>): Promise<void> {
  // RFC 9449 §11.1: each proof's jti is used once. Shared by every instance, kept for the iat window only.
  await db.schema.createTable('dpop_proof_jtis')
    .addColumn('key', 'text', (c) => c.primaryKey()) // sha256 of the proof key's thumbprint and the jti
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('dpop_proof_jtis_expires_at_idx').on('dpop_proof_jtis').column('expires_at').execute();
  // RFC 7638 thumbprint of the key an embedded token pair is bound to; null for a bearer pair.
  await db.schema.alterTable('embedded_auth_tokens').addColumn('jkt', 'text').execute();
  // A secret every instance shares, for server-issued DPoP nonces (DPOP_NONCE=true).
  await db.schema.createTable('gatehouse_secrets')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('gatehouse_secrets').execute();
  await db.schema.alterTable('embedded_auth_tokens').dropColumn('jkt').execute();
  await db.schema.dropTable('dpop_proof_jtis').execute();
}
