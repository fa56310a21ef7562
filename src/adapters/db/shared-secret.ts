import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { guarded } from './db-errors.js';
import type { Database } from './schema.js';

/**
 * A secret every instance on this database shares, made by whichever asks first: insert a fresh
 * one unless a row exists, then read the row (the loser of a race reads the winner's).
 */
export function sharedSecret(db: Kysely<Database>, name: string): Promise<Buffer> {
  return guarded(async () => {
    await db.insertInto('gatehouse_secrets').values({ name, value: randomBytes(32).toString('base64url') })
      .onConflict((oc) => oc.column('name').doNothing()).execute();
    const row = await db.selectFrom('gatehouse_secrets').select('value').where('name', '=', name).executeTakeFirstOrThrow();
    return Buffer.from(row.value, 'base64url');
  });
}
