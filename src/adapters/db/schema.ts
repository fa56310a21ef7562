import type { ColumnType, Generated } from 'kysely';

/** Row types: they never leave adapters/db. Timestamps default to now() in the database. */
export interface Database {
  users: UsersTable;
  items: ItemsTable;
  embedded_auth_accounts: EmbeddedAuthAccountsTable;
  embedded_auth_tokens: EmbeddedAuthTokensTable;
  idempotency_keys: IdempotencyKeysTable;
  seen_tokens: SeenTokensTable;
  dpop_proof_jtis: DpopProofJtisTable;
  gatehouse_secrets: GatehouseSecretsTable;
}

type CreatedAt = ColumnType<Date, never, never>;
type UpdatedAt = ColumnType<Date, never, Date>;

export interface UsersTable {
  id: Generated<number>;
  subject: string;
  email: string;
  created_at: CreatedAt;
  /** Gatehouse's own flags, whichever server owns the account. */
  is_staff: ColumnType<boolean, boolean | undefined, boolean>;
  is_active: ColumnType<boolean, boolean | undefined, boolean>;
  /** Only a superuser changes the flags of staff and of other superusers (as in Django's admin). */
  is_superuser: ColumnType<boolean, boolean | undefined, boolean>;
  /** The last authenticated request, written at most once a minute per user and instance. */
  last_seen_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

export interface ItemsTable {
  id: Generated<number>;
  name: string;
  description: string;
  /** numeric(14,2): pg hands it back as text ("12.50"), and we write text, never a float. */
  price: string;
  owner_id: number;
  version: ColumnType<number, never, number>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

/** The embedded auth server plays a separate server: its tables are never joined with ours. */
export interface EmbeddedAuthAccountsTable {
  id: Generated<number>;
  /** Stored lower-cased, unique. */
  email: string;
  /** `scrypt$N$r$p$salt$hash`, base64url parts. */
  password_hash: string;
  created_at: CreatedAt;
}

export interface EmbeddedAuthTokensTable {
  /** sha256 hex of the access token: the token itself is never stored. */
  access_hash: string;
  refresh_hash: string;
  account_id: number;
  /** Space-separated, like OAuth's `scope`. */
  scopes: string;
  expires_at: Date;
  refresh_used: ColumnType<boolean, boolean | undefined, boolean>;
  revoked_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  /** RFC 7638 thumbprint of the DPoP key the pair is bound to; null for bearer tokens. */
  jkt: ColumnType<string | null, string | null | undefined, never>;
  /** The access hash of the first pair of the sign-in this pair was refreshed from (itself for a sign-in). */
  family: ColumnType<string, string, never>;
  created_at: CreatedAt;
}

/** Status, headers and body are null while the first request with the key is still running. */
export interface IdempotencyKeysTable {
  owner_id: number;
  key: string;
  /** sha256 hex of the operation and its body. */
  request_hash: string;
  status: number | null;
  headers: ColumnType<Record<string, string> | null, string | null, string | null>;
  response_body: ColumnType<unknown, string | null, string | null>;
  created_at: CreatedAt;
}

/** One row per DPoP proof seen, until its iat window has passed: a second use of the key is a replay. */
export interface DpopProofJtisTable {
  key: string;
  expires_at: Date;
}

/** Secrets every instance must share (the DPoP nonce key), made by whichever instance needs one first. */
export interface GatehouseSecretsTable {
  name: string;
  value: string;
  created_at: CreatedAt;
}

/** A remote server's access token as the instances know it; see the migration that creates it. */
export interface SeenTokensTable {
  token_hash: string;
  /** sha256 hex of the refresh token issued with it, when the pair came through Gatehouse. */
  refresh_hash: ColumnType<string | null, string | null | undefined, string | null>;
  /** Null until known: from a password grant through Gatehouse, or an introspection (which wins). */
  subject: ColumnType<string | null, string | null | undefined, string | null>;
  /** Set when a password change through Gatehouse retired it: refused everywhere from then on. */
  retired_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  /** Pruned after this. */
  keep_until: Date;
}
