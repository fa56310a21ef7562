import type { Account, User, UserId } from '../../src/domain/account.js';
import type { UserRepository } from '../../src/ports/index.js';

export class InMemoryUserRepository implements UserRepository {
  private readonly bySubject = new Map<string, User>();
  private readonly byId = new Map<UserId, User>();

  async mirror(account: Account): Promise<User> {
    const known = this.bySubject.get(account.subject);
    if (known) {
      known.email = account.email;
      return { ...known };
    }
    const user = { id: this.byId.size + 1, email: account.email };
    this.bySubject.set(account.subject, user);
    this.byId.set(user.id, user);
    return { ...user };
  }

  userById = (id: UserId): User => {
    const user = this.byId.get(id);
    if (!user) throw new Error(`no user ${id}`);
    return { ...user };
  };
}
