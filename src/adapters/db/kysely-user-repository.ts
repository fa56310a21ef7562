import { sql, type Kysely } from 'kysely';
import { LRUCache } from 'lru-cache';
import type { Account, User } from '../../domain/account.js';
import type { UserRepository } from '../../ports/index.js';
import { guarded } from './db-errors.js';
import type { Database } from './schema.js';

export class KyselyUserRepository implements UserRepository {
  // subject → user: a steady stream of requests from one account never touches the database.
  private readonly memo: LRUCache<string, User>;

  constructor(private readonly db: Kysely<Database>, settings: { memoSize?: number } = {}) {
    this.memo = new LRUCache({ max: settings.memoSize ?? 10_000 });
  }

  async mirror(account: Account): Promise<User> {
    const known = this.memo.get(account.subject);
    if (known && known.email === account.email) return { ...known };
    const user = await guarded(() => this.upsert(account));
    this.memo.set(account.subject, user);
    return { ...user };
  }

  private async upsert({ subject, email }: Account): Promise<User> {
    // One statement: concurrent first calls meet at the unique index and only one inserts.
    // Without a change the update is skipped (no dead tuple); the row then comes from the select.
    const { rows } = await sql<User>`
      with upserted as (
        insert into users (subject, email) values (${subject}, ${email})
        on conflict (subject) do update set email = excluded.email where users.email <> excluded.email
        returning id, email
      )
      select id, email from upserted
      union all
      select id, email from users where subject = ${subject} and not exists (select 1 from upserted)`.execute(this.db);
    if (rows[0]) return rows[0];
    // The row was committed by a concurrent insert after this statement's snapshot: a new statement sees it.
    const row = await this.db.selectFrom('users').select(['id', 'email']).where('subject', '=', subject).executeTakeFirstOrThrow();
    return row;
  }
}
