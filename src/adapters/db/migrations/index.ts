import type { Migration, MigrationProvider } from 'kysely';
import * as createUsersAndItems from './2026-11-28T1400_create_users_and_items.js';
import * as createEmbeddedAuth from './2026-11-28T1401_create_embedded_auth.js';
import * as createIdempotencyKeys from './2026-12-02T0900_create_idempotency_keys.js';
import * as addDpop from './2026-12-02T1500_add_dpop.js';
import * as refreshTokenFamilies from './2026-12-02T1600_refresh_token_families.js';
import * as createSeenTokens from './2026-12-02T1601_create_seen_tokens.js';
import * as addUserFlags from './2026-12-02T1700_add_user_flags.js';
import * as addSuperuser from './2026-12-10T1200_add_superuser.js';

/**
 * Every migration, by name. A static map rather than FileMigrationProvider: the same code runs
 * from .ts under tsx and from compiled .js, and a bundler-free import list cannot miss a file.
 */
export const migrations: Record<string, Migration> = {
  '2026-11-28T1400_create_users_and_items': createUsersAndItems,
  '2026-11-28T1401_create_embedded_auth': createEmbeddedAuth,
  '2026-12-02T0900_create_idempotency_keys': createIdempotencyKeys,
  '2026-12-02T1500_add_dpop': addDpop,
  '2026-12-02T1600_refresh_token_families': refreshTokenFamilies,
  '2026-12-02T1601_create_seen_tokens': createSeenTokens,
  '2026-12-02T1700_add_user_flags': addUserFlags,
  '2026-12-10T1200_add_superuser': addSuperuser,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
