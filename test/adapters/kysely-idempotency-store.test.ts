import { expect } from 'chai';
import { sql } from 'kysely';
import { KyselyIdempotencyStore } from '../../src/adapters/db/kysely-idempotency-store.js';
import { idempotencyStoreContract } from '../contracts/idempotency-store-contract.js';
import { InMemoryIdempotencyStore } from '../fakes/in-memory-idempotency-store.js';
import { openedFreshPostgres } from '../support/postgres.js';

idempotencyStoreContract('in-memory fake', async () => ({ store: new InMemoryIdempotencyStore(), alice: 1, bob: 2 }));

describe('Kysely idempotency store on the machine PostgreSQL', function () {
  const database = openedFreshPostgres();
  const open = async () => {
    const db = database().db;
    await sql`truncate table idempotency_keys, items, users restart identity cascade`.execute(db);
    const [alice, bob] = await db.insertInto('users').values([{ subject: 'a', email: 'a@example.com' }, { subject: 'b', email: 'b@example.com' }])
      .returning('id').execute();
    return { store: new KyselyIdempotencyStore(db), alice: alice!.id, bob: bob!.id };
  };
  idempotencyStoreContract('Kysely + PostgreSQL', open);

  const backdate = (interval: string) =>
    sql`update idempotency_keys set created_at = now() - ${interval}::interval`.execute(database().db);

  it('forgets a key after 24 hours', async () => {
    const h = await open();
    await h.store.claim(h.alice, 'old', 'fp');
    await h.store.complete(h.alice, 'old', { status: 201, headers: {}, body: {} });
    await backdate('23 hours');
    expect((await h.store.claim(h.alice, 'old', 'other')).outcome).to.equal('mismatch');
    await backdate('25 hours');
    expect((await h.store.claim(h.alice, 'old', 'other')).outcome).to.equal('claimed');
  });

  it('takes over a claim abandoned unfinished by an instance that died', async () => {
    const h = await open();
    await h.store.claim(h.alice, 'stuck', 'fp');
    await backdate('10 seconds');
    expect((await h.store.claim(h.alice, 'stuck', 'fp')).outcome).to.equal('in_progress');
    await backdate('3 minutes');
    expect((await h.store.claim(h.alice, 'stuck', 'fp')).outcome).to.equal('claimed');
  });
});
