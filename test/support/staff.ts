import pg from 'pg';
import { RETIREMENTS } from '../../src/adapters/db/postgres-retirement-channel.js';

type Flags = { is_staff?: boolean; is_active?: boolean; is_superuser?: boolean };

/**
 * What `npm run admin -- grant-staff` (and the other flag commands) do, out of band: the flags in
 * the shared database, and, unless `quietly`, the news on the retirement channel, so running
 * instances read the user afresh (as setUserFlags does). Quietly, the instances keep what they
 * remembered of the user: a caller whose flags changed behind the server's back.
 */
export async function setFlagsOutOfBand(databaseUrl: string, userId: number, flags: Flags, { quietly = false } = {}): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const entries = Object.entries(flags);
    const set = entries.map(([column], i) => `${column} = $${i + 2}`).join(', ');
    const { rows } = await client.query<{ subject: string }>(`update users set ${set} where id = $1 returning subject`, [userId, ...entries.map((e) => e[1])]);
    if (!quietly) await client.query('select pg_notify($1, $2)', [RETIREMENTS, `subject:${rows[0]!.subject}`]);
  } finally {
    await client.end();
  }
}

export const makeStaff = (databaseUrl: string, userId: number) => setFlagsOutOfBand(databaseUrl, userId, { is_staff: true });

/** What `grant-superuser` does: superuser and staff. */
export const makeSuperuser = (databaseUrl: string, userId: number) => setFlagsOutOfBand(databaseUrl, userId, { is_staff: true, is_superuser: true });

/** Active superusers (superuser, staff and active) in the database: the API must never bring this to zero. */
export async function activeSuperusers(databaseUrl: string): Promise<number[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ id: number }>('select id from users where is_superuser and is_staff and is_active order by id');
    return rows.map((r) => r.id);
  } finally {
    await client.end();
  }
}
