import { sql, type Kysely } from 'kysely';
import { LRUCache } from 'lru-cache';
import type { Account, Member, UserFlags, UserId, UserRecord } from '../../domain/account.js';
import type { UserRepository } from '../../ports/index.js';
import type { RetirementChannel } from '../../ports/retirement-channel.js';
import type { FlagCheck, UserListQuery, UserPage, UserPosition } from '../../ports/user-repository.js';
import { guarded } from './db-errors.js';
import { keysetPage } from './keyset-page.js';
import { ReusableStatement } from './reusable-statement.js';
import type { Database } from './schema.js';

export interface UserRepositorySettings {
  memoSize?: number;
  /**
   * Retirements of a subject (a password change, a deactivation) published by any instance: the
   * memo forgets that user, so the next request reads its flags afresh. While the channel is deaf
   * nothing is memoised for long (see `deafMemoMs`).
   */
  retirements?: RetirementChannel;
  /** How long a memoised user is trusted while the channel is deaf (default 2 s). */
  deafMemoMs?: number;
  /** `last_seen_at` is written at most this often per user and instance (default 60 s). */
  lastSeenEveryMs?: number;
}

type MemberRow = { id: number; email: string; is_staff: boolean; is_active: boolean; is_superuser: boolean };
const MEMBER = ['id', 'email', 'is_staff', 'is_active', 'is_superuser'] as const;
const toMember = (r: MemberRow): Member => ({ id: r.id, email: r.email, isStaff: r.is_staff, isActive: r.is_active, isSuperuser: r.is_superuser });

export class KyselyUserRepository implements UserRepository {
  // subject → user: a steady stream of requests from one account never touches the database.
  private readonly memo: LRUCache<string, Member>;
  private readonly seenAt = new Map<UserId, number>();
  private deaf = false;
  // Every password grant looks its account up by email: compiled once (see reusable-statement.ts).
  private readonly findByEmailStatement: ReusableStatement<MemberRow & { subject: string }>;

  constructor(private readonly db: Kysely<Database>, private readonly settings: UserRepositorySettings = {}) {
    this.findByEmailStatement = new ReusableStatement(findByEmailQuery(db, ''));
    this.memo = new LRUCache({ max: settings.memoSize ?? 10_000 });
    settings.retirements?.subscribe({
      retired: (r) => { if ('subject' in r) this.memo.delete(r.subject); },
      deaf: () => { this.deaf = true; this.memo.clear(); },
      listening: () => { this.deaf = false; this.memo.clear(); },
    });
  }

  async mirror(account: Account): Promise<Member> {
    const known = this.memo.get(account.subject);
    const user = known && known.email === account.email ? known : await guarded(() => this.upsert(account));
    if (user !== known) this.memo.set(account.subject, user, this.deaf ? { ttl: this.settings.deafMemoMs ?? 2_000 } : {});
    this.noteSeen(user.id);
    return { ...user };
  }

  async findByEmail(email: string): Promise<(Member & { subject: string }) | undefined> {
    const [row] = (await guarded(() => this.db.executeQuery(this.findByEmailStatement.with([email])))).rows;
    return row && { ...toMember(row), subject: row.subject };
  }

  async findBySubject(subject: string): Promise<Member | undefined> {
    const row = await guarded(() => this.db.selectFrom('users').select(MEMBER).where('subject', '=', subject).executeTakeFirst());
    return row && toMember(row);
  }

  async get(id: UserId): Promise<(UserRecord & { subject: string }) | undefined> {
    const row = await guarded(() => this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst());
    return row && { ...toRecord(row), subject: row.subject };
  }

  async list({ limit, ordering, from, search, isStaff, isActive, isSuperuser }: UserListQuery): Promise<UserPage> {
    const column = ordering.replace(/^-/, '') as 'email' | 'id';
    const descending = ordering.startsWith('-');
    const backwards = from?.direction === 'before';
    const reversed = descending !== backwards; // paging backwards reads the other way, then puts the rows back
    const direction = reversed ? 'desc' : 'asc';
    const op = reversed ? '<' : '>';
    const rows = await guarded(() => this.db.selectFrom('users').selectAll()
      // Case-insensitive substring; % and _ in what staff typed are literal.
      .$if(search !== undefined, (qb) => qb.where(sql<boolean>`strpos(lower(email), lower(${search}))`, '>', sql<boolean>`0`))
      .$if(isStaff !== undefined, (qb) => qb.where('is_staff', '=', isStaff!))
      .$if(isActive !== undefined, (qb) => qb.where('is_active', '=', isActive!))
      .$if(isSuperuser !== undefined, (qb) => qb.where('is_superuser', '=', isSuperuser!))
      .$if(from !== undefined, (qb) => (column === 'id'
        ? qb.where('id', op, from!.id)
        : qb.where((eb) => eb.or([eb('email', op, String(from!.key)), eb.and([eb('email', '=', String(from!.key)), eb('id', op, from!.id)])]))))
      .$if(column === 'email', (qb) => qb.orderBy('email', direction))
      .orderBy('id', direction)
      .limit(limit + 1)
      .execute());
    const { rows: users, ...edges } = keysetPage(rows.map(toRecord), limit, { backwards, fromPosition: from !== undefined },
      (u, direction): UserPosition => ({ ordering, key: column === 'id' ? u.id : u.email, id: u.id, direction }));
    return { users, ...edges };
  }

  async setFlags(id: UserId, change: Partial<UserFlags>, check?: FlagCheck): Promise<{ before: UserRecord; after: UserRecord; subject: string } | undefined> {
    return guarded(() => this.db.transaction().execute(async (trx) => {
      // The target and every superuser, locked in id order (so two such changes never deadlock) until
      // this commits: a racing change of a superuser waits here, then counts what this one left.
      // NO KEY UPDATE: items referencing these users (FOR KEY SHARE) are not held up.
      const locked = await trx.selectFrom('users').selectAll()
        .where((eb) => eb.or([eb('id', '=', id), eb('is_superuser', '=', true)]))
        .orderBy('id').forNoKeyUpdate().execute();
      const before = locked.find((r) => r.id === id);
      if (!before) return undefined;
      check?.(toRecord(before), locked.filter((r) => r.id !== id && r.is_superuser && r.is_staff && r.is_active).length);
      const after = await trx.updateTable('users').where('id', '=', id).set(flagColumns(change)).returningAll().executeTakeFirstOrThrow();
      this.memo.delete(before.subject); // this instance at once; the others when the change is published
      return { before: toRecord(before), after: toRecord(after), subject: before.subject };
    }));
  }

  /** At most one write per user per interval and instance; a failure only loses a timestamp. */
  private noteSeen(id: UserId): void {
    const now = Date.now();
    if (now - (this.seenAt.get(id) ?? 0) < (this.settings.lastSeenEveryMs ?? 60_000)) return;
    this.seenAt.set(id, now);
    if (this.seenAt.size > 100_000) this.seenAt.clear(); // bounded: a forgotten entry costs one early write
    this.db.updateTable('users').set({ last_seen_at: new Date(now) }).where('id', '=', id).execute().catch(() => undefined);
  }

  private async upsert({ subject, email }: Account): Promise<Member> {
    // One statement: concurrent first calls meet at the unique index and only one inserts.
    // Without a change the update is skipped (no dead tuple); the row then comes from the select.
    const { rows } = await sql<MemberRow>`
      with upserted as (
        insert into users (subject, email) values (${subject}, ${email})
        on conflict (subject) do update set email = excluded.email where users.email <> excluded.email
        returning id, email, is_staff, is_active, is_superuser
      )
      select id, email, is_staff, is_active, is_superuser from upserted
      union all
      select id, email, is_staff, is_active, is_superuser from users where subject = ${subject} and not exists (select 1 from upserted)`.execute(this.db);
    if (rows[0]) return toMember(rows[0]);
    // The row was committed by a concurrent insert after this statement's snapshot: a new statement sees it.
    return toMember(await this.db.selectFrom('users').select(MEMBER).where('subject', '=', subject).executeTakeFirstOrThrow());
  }
}

function flagColumns(change: Partial<UserFlags>): { is_staff?: boolean; is_active?: boolean; is_superuser?: boolean } {
  return {
    ...(change.isStaff !== undefined ? { is_staff: change.isStaff } : {}),
    ...(change.isActive !== undefined ? { is_active: change.isActive } : {}),
    ...(change.isSuperuser !== undefined ? { is_superuser: change.isSuperuser } : {}),
  };
}

function toRecord(row: MemberRow & { created_at: Date; last_seen_at: Date | null }): UserRecord {
  return { ...toMember(row), dateJoined: row.created_at, lastSeen: row.last_seen_at };
}

/** The SELECT of the account with this email, first by id; its one parameter is the email. */
export function findByEmailQuery(db: Kysely<Database>, email: string) {
  return db.selectFrom('users').select([...MEMBER, 'subject']).where('email', '=', email).orderBy('id');
}
