import type { Account, Member, User, UserFlags, UserId, UserRecord } from '../../src/domain/account.js';
import type { UserRepository } from '../../src/ports/index.js';
import type { FlagCheck, UserListQuery, UserPage, UserPosition } from '../../src/ports/user-repository.js';

type Row = UserRecord & { subject: string };

/** Users in memory, for unit tests of the use cases; runs the same UserRepository contract as the Kysely one. */
export class InMemoryUserRepository implements UserRepository {
  private readonly rows: Row[] = [];

  async mirror(account: Account): Promise<Member> {
    let row = this.rows.find((r) => r.subject === account.subject);
    if (!row) {
      row = { id: this.rows.length + 1, subject: account.subject, email: account.email, isStaff: false, isActive: true, isSuperuser: false, dateJoined: new Date(), lastSeen: null };
      this.rows.push(row);
    }
    row.email = account.email;
    row.lastSeen = new Date();
    return member(row);
  }

  async findByEmail(email: string) {
    const row = this.rows.find((r) => r.email === email);
    return row && { ...member(row), subject: row.subject };
  }

  async findBySubject(subject: string) {
    const row = this.rows.find((r) => r.subject === subject);
    return row && member(row);
  }

  async get(id: UserId) {
    const row = this.rows.find((r) => r.id === id);
    return row && { ...row };
  }

  async list({ limit, ordering, from, search, isStaff, isActive, isSuperuser }: UserListQuery): Promise<UserPage> {
    const column = ordering.replace(/^-/, '') as 'email' | 'id';
    const sign = ordering.startsWith('-') ? -1 : 1;
    const compare = (a: Row | UserPosition, b: Row) => {
      const ka = 'key' in a ? a.key : a[column];
      const kb = b[column];
      return sign * (ka < kb ? -1 : ka > kb ? 1 : a.id - b.id);
    };
    const matching = this.rows.filter((r) => (search === undefined || r.email.toLowerCase().includes(search.toLowerCase()))
      && (isStaff === undefined || r.isStaff === isStaff) && (isActive === undefined || r.isActive === isActive)
      && (isSuperuser === undefined || r.isSuperuser === isSuperuser))
      .sort((a, b) => compare(a, b));
    const backwards = from?.direction === 'before';
    const candidates = from ? matching.filter((r) => (backwards ? compare(from, r) > 0 : compare(from, r) < 0)) : matching;
    const window = backwards ? candidates.slice(Math.max(0, candidates.length - limit)) : candidates.slice(0, limit);
    const more = candidates.length > limit;
    const at = (r: Row | undefined, direction: UserPosition['direction']): UserPosition | undefined =>
      r && { ordering, key: r[column], id: r.id, direction };
    const page: UserPage = { users: window.map(({ subject: _s, ...u }) => ({ ...u })) };
    const first = at(window[0], 'before');
    const last = at(window[window.length - 1], 'after');
    if (last && (backwards || more)) page.next = last;
    if (first && (backwards ? more : from !== undefined)) page.previous = first;
    return page;
  }

  async setFlags(id: UserId, change: Partial<UserFlags>, check?: FlagCheck) {
    const row = this.rows.find((r) => r.id === id);
    if (!row) return undefined;
    const { subject, ...before } = row;
    // One thread: nothing can change between the count and the change.
    check?.({ ...before }, this.rows.filter((r) => r.id !== id && r.isSuperuser && r.isStaff && r.isActive).length);
    Object.assign(row, change);
    const { subject: _s, ...after } = row;
    return { before: { ...before }, after: { ...after }, subject };
  }

  userById = (id: UserId): User => {
    const row = this.rows.find((r) => r.id === id);
    if (!row) throw new Error(`no user ${id}`);
    return { id: row.id, email: row.email };
  };
}

const member = (r: Row): Member => ({ id: r.id, email: r.email, isStaff: r.isStaff, isActive: r.isActive, isSuperuser: r.isSuperuser });
