import pg from 'pg';
import { RETIREMENTS } from '../../src/adapters/db/postgres-retirement-channel.js';

/**
 * What `npm run admin -- grant-staff` does, out of band: the flag in the shared database, and the
 * news on the retirement channel, so running instances read the user afresh (as setUserFlags does).
 */
export async function makeStaff(databaseUrl: string, userId: number): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ subject: string }>('update users set is_staff = true where id = $1 returning subject', [userId]);
    await client.query('select pg_notify($1, $2)', [RETIREMENTS, `subject:${rows[0]!.subject}`]);
  } finally {
    await client.end();
  }
}
