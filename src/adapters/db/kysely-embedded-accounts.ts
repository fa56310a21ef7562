import { sql, type Kysely } from 'kysely';
import type { ActiveToken, EmbeddedAccounts, RefreshHistory, SpentPair, StoredAccount, StoredPair } from '../../ports/embedded-accounts.js';
import { guarded } from './db-errors.js';
import { notifyRetirements } from './postgres-retirement-channel.js';
import type { Database } from './schema.js';

/** The embedded authorization server's tables: `embedded_auth_accounts` and `embedded_auth_tokens`. */
export class KyselyEmbeddedAccounts implements EmbeddedAccounts {
  constructor(private readonly db: Kysely<Database>) {}

  createAccount(email: string, passwordHash: string): Promise<{ id: number; email: string } | undefined> {
    return guarded(() => this.db.insertInto('embedded_auth_accounts')
      .values({ email, password_hash: passwordHash })
      .onConflict((oc) => oc.column('email').doNothing())
      .returning(['id', 'email'])
      .executeTakeFirst());
  }

  accountByEmail(email: string): Promise<StoredAccount | undefined> {
    return guarded(async () => {
      const row = await this.db.selectFrom('embedded_auth_accounts').select(['id', 'password_hash'])
        .where('email', '=', email).executeTakeFirst();
      return row && { id: row.id, passwordHash: row.password_hash };
    });
  }

  accountById(id: number): Promise<StoredAccount> {
    return guarded(async () => {
      const row = await this.db.selectFrom('embedded_auth_accounts').select(['id', 'password_hash'])
        .where('id', '=', id).executeTakeFirstOrThrow();
      return { id: row.id, passwordHash: row.password_hash };
    });
  }

  rehash(accountId: number, oldHash: string, newHash: string): Promise<void> {
    return guarded(async () => {
      await this.db.updateTable('embedded_auth_accounts').set({ password_hash: newHash })
        .where('id', '=', accountId).where('password_hash', '=', oldHash).execute();
    });
  }

  changePassword(accountId: number, passwordHash: string, at: Date): Promise<void> {
    return guarded(() => this.db.transaction().execute(async (trx) => {
      await trx.updateTable('embedded_auth_accounts').set({ password_hash: passwordHash }).where('id', '=', accountId).execute();
      await trx.updateTable('embedded_auth_tokens').set({ revoked_at: at })
        .where('account_id', '=', accountId).where('revoked_at', 'is', null).execute();
      await notifyRetirements(trx, [{ subject: String(accountId) }]);
    }));
  }

  addPair(pair: StoredPair): Promise<void> {
    return guarded(() => insertPair(this.db, pair));
  }

  rotate<T>(refreshHash: string, at: Date, replace: (spent: SpentPair) => Promise<{ pair: StoredPair; answer: T }>): Promise<T | undefined> {
    return guarded(() => this.db.transaction().execute(async (trx) => {
      // One UPDATE spends the refresh token: of two concurrent refreshes, only one gets a row back.
      const spent = await trx.updateTable('embedded_auth_tokens')
        .set({ refresh_used: true, revoked_at: at })
        .where('refresh_hash', '=', refreshHash)
        .where('refresh_used', '=', false)
        .where('revoked_at', 'is', null)
        .returning(['account_id', 'scopes', 'jkt', 'access_hash', 'family'])
        .executeTakeFirst();
      if (!spent) return undefined;
      const { pair, answer } = await replace({ accessHash: spent.access_hash, accountId: spent.account_id, scopes: spent.scopes, jkt: spent.jkt, family: spent.family });
      await notifyRetirements(trx, [{ tokenHash: spent.access_hash }]);
      await insertPair(trx, pair);
      return answer;
    }));
  }

  revoke(tokenHash: string, at: Date): Promise<void> {
    return guarded(() => this.db.transaction().execute(async (trx) => {
      const found = await trx.selectFrom('embedded_auth_tokens').select(['access_hash', 'refresh_hash', 'family'])
        .where((eb) => eb.or([eb('access_hash', '=', tokenHash), eb('refresh_hash', '=', tokenHash)])).executeTakeFirst();
      if (!found) return;
      const revoked = await trx.updateTable('embedded_auth_tokens').set({ revoked_at: at })
        .where(found.refresh_hash === tokenHash ? 'family' : 'access_hash', '=', found.refresh_hash === tokenHash ? found.family : tokenHash)
        .where('revoked_at', 'is', null).returning('access_hash').execute();
      await notifyRetirements(trx, revoked.map((r) => ({ tokenHash: r.access_hash })));
    }));
  }

  revokeFamily(family: string, at: Date): Promise<number> {
    return guarded(() => this.db.transaction().execute(async (trx) => {
      const revoked = await trx.updateTable('embedded_auth_tokens').set({ revoked_at: at })
        .where('family', '=', family).where('revoked_at', 'is', null)
        .returning('access_hash').execute();
      await notifyRetirements(trx, revoked.map((r) => ({ tokenHash: r.access_hash })));
      return revoked.length;
    }));
  }

  activeToken(accessHash: string, now: Date): Promise<ActiveToken | undefined> {
    return guarded(async () => {
      const row = await this.db.selectFrom('embedded_auth_tokens as t')
        .innerJoin('embedded_auth_accounts as a', 'a.id', 't.account_id')
        .select(['t.account_id', 't.scopes', 't.expires_at', 't.jkt', 'a.email'])
        .where('t.access_hash', '=', accessHash)
        .where('t.revoked_at', 'is', null)
        .where('t.expires_at', '>', now)
        .executeTakeFirst();
      return row && { accountId: row.account_id, scopes: row.scopes, expiresAt: row.expires_at, jkt: row.jkt, email: row.email };
    });
  }

  refreshHistory(refreshHash: string): Promise<RefreshHistory | undefined> {
    return guarded(async () => {
      const row = await this.db.selectFrom('embedded_auth_tokens').select(['account_id', 'family', 'refresh_used', 'revoked_at'])
        .where('refresh_hash', '=', refreshHash).executeTakeFirst();
      return row && { accountId: row.account_id, family: row.family, refreshUsed: row.refresh_used, revokedAt: row.revoked_at };
    });
  }

  ping(): Promise<void> {
    return guarded(async () => { await sql`select 1`.execute(this.db); });
  }
}

async function insertPair(db: Kysely<Database>, pair: StoredPair): Promise<void> {
  await db.insertInto('embedded_auth_tokens').values({
    access_hash: pair.accessHash, refresh_hash: pair.refreshHash, account_id: pair.accountId,
    scopes: pair.scopes, expires_at: pair.expiresAt, jkt: pair.jkt, family: pair.family,
  }).execute();
}
