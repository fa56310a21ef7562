import { expect } from 'chai';
import type { Caller } from '../../src/domain/account.js';
import {
  InsufficientScope, InvalidInput, InvalidScope, InvalidToken, NotFound, NotOwner, Unauthenticated, VersionMismatch,
} from '../../src/domain/errors.js';
import { normalizePrice } from '../../src/domain/price.js';
import type { Deps } from '../../src/ports/index.js';
import { authenticate } from '../../src/use-cases/authenticate.js';
import { changePassword } from '../../src/use-cases/change-password.js';
import { createItem } from '../../src/use-cases/create-item.js';
import { deleteItem } from '../../src/use-cases/delete-item.js';
import { getToken } from '../../src/use-cases/get-token.js';
import { requestedScopes as parseScopes } from '../../src/domain/scopes.js';
import { listItems } from '../../src/use-cases/list-items.js';
import { signUp } from '../../src/use-cases/sign-up.js';
import { updateItem } from '../../src/use-cases/update-item.js';
import { FakeAuthServer } from '../fakes/fake-auth-server.js';
import { InMemoryIdempotencyStore } from '../fakes/in-memory-idempotency-store.js';
import { InMemoryRetirementChannel } from '../fakes/in-memory-retirement-channel.js';
import { InMemoryItemRepository } from '../fakes/in-memory-item-repository.js';
import { InMemoryUserRepository } from '../fakes/in-memory-user-repository.js';
import { rejectionOf } from '../support/rejection.js';

function world() {
  const users = new InMemoryUserRepository();
  const deps: Deps = {
    authServer: new FakeAuthServer(), users, items: new InMemoryItemRepository(users.userById), idempotency: new InMemoryIdempotencyStore(),
    retirements: new InMemoryRetirementChannel(),
  };
  return { deps, fake: deps.authServer as FakeAuthServer };
}

async function callerFor(deps: Deps, email: string, scope = 'read write'): Promise<Caller> {
  await signUp(deps, { email, password: 'correct horse', password2: 'correct horse' });
  const pair = await getToken(deps, { email, password: 'correct horse', scope });
  return authenticate(deps, { token: pair.accessToken }, undefined, (deps.authServer as FakeAuthServer).nowSeconds);
}

describe('use cases', () => {
  describe('signUp', () => {
    it('refuses mismatched passwords before asking the auth server', async () => {
      const { deps } = world();
      const err = await rejectionOf(signUp(deps, { email: 'a@example.com', password: 'correct horse', password2: 'other horse' }));
      expect(err).to.be.instanceOf(InvalidInput);
      expect((err as InvalidInput).errors).to.deep.equal([{ pointer: '/password2', message: 'Password fields did not match' }]);
      expect(await rejectionOf(getToken(deps, { email: 'a@example.com', password: 'correct horse' }))).to.have.property('code', 'invalid_grant');
    });

    it('stores the email in lower case, so letter case never makes a second account', async () => {
      const { deps } = world();
      const user = await signUp(deps, { email: 'Alice@Example.COM', password: 'correct horse', password2: 'correct horse' });
      expect(user.email).to.equal('alice@example.com');
      const pair = await getToken(deps, { email: 'ALICE@example.com', password: 'correct horse' });
      expect(pair.accessToken).to.be.a('string');
    });
  });

  describe('getToken scopes', () => {
    it('asks for read and write when no scope is given, and never more', () => {
      expect(parseScopes(undefined)).to.deep.equal(['read', 'write']);
      expect(parseScopes('write read')).to.deep.equal(['read', 'write']);
      expect(parseScopes('read')).to.deep.equal(['read']);
    });
    it('refuses scopes Gatehouse does not hand out, such as introspection', () => {
      expect(() => parseScopes('read introspection')).to.throw(InvalidScope);
    });
  });

  describe('authenticate', () => {
    it('answers Unauthenticated without a token and InvalidToken for an unknown one', async () => {
      const { deps } = world();
      expect(await rejectionOf(authenticate(deps, undefined, 'read'))).to.be.instanceOf(Unauthenticated);
      expect(await rejectionOf(authenticate(deps, { token: 'junk' }, 'read'))).to.be.instanceOf(InvalidToken);
    });

    it('checks the scope on every request', async () => {
      const { deps, fake } = world();
      const reader = await callerFor(deps, 'r@example.com', 'read');
      await authenticate(deps, { token: reader.token }, 'read', fake.nowSeconds);
      expect(await rejectionOf(authenticate(deps, { token: reader.token }, 'write', fake.nowSeconds))).to.be.instanceOf(InsufficientScope);
    });

    it('refuses claims whose exp has passed even if the auth server still calls them active', async () => {
      const { deps, fake } = world();
      const caller = await callerFor(deps, 'e@example.com');
      expect(await rejectionOf(authenticate(deps, { token: caller.token }, 'read', fake.nowSeconds + 3600))).to.be.instanceOf(InvalidToken);
    });

    it('mirrors the account once and maps it to the same local user every time', async () => {
      const { deps, fake } = world();
      const first = await callerFor(deps, 'm@example.com');
      const again = await authenticate(deps, { token: first.token }, 'read', fake.nowSeconds);
      expect(again.user).to.deep.equal(first.user);
    });
  });

  describe('items', () => {
    it('normalises the price to two places without a float', async () => {
      const { deps } = world();
      const alice = await callerFor(deps, 'alice@example.com');
      expect((await createItem(deps, alice, { name: 'lamp', description: '', price: 12.5 })).price).to.equal('12.50');
      expect((await createItem(deps, alice, { name: 'desk', description: '', price: '999999999999.99' })).price).to.equal('999999999999.99');
    });

    it('lets only the owner change or delete an item', async () => {
      const { deps } = world();
      const alice = await callerFor(deps, 'alice@example.com');
      const bob = await callerFor(deps, 'bob@example.com');
      const lamp = await createItem(deps, alice, { name: 'lamp', description: 'red', price: '1' });
      expect(await rejectionOf(updateItem(deps, bob, lamp.id, { price: '0' }))).to.be.instanceOf(NotOwner);
      expect(await rejectionOf(deleteItem(deps, bob, lamp.id))).to.be.instanceOf(NotOwner);
      expect((await updateItem(deps, alice, lamp.id, { price: '2' })).price).to.equal('2.00');
    });

    it('answers NotFound for a missing item and VersionMismatch for a stale version', async () => {
      const { deps } = world();
      const alice = await callerFor(deps, 'alice@example.com');
      expect(await rejectionOf(deleteItem(deps, alice, 999))).to.be.instanceOf(NotFound);
      const lamp = await createItem(deps, alice, { name: 'lamp', description: '', price: '1' });
      await updateItem(deps, alice, lamp.id, { description: 'new' }, lamp.version);
      expect(await rejectionOf(updateItem(deps, alice, lamp.id, { description: 'newer' }, lamp.version))).to.be.instanceOf(VersionMismatch);
    });

    it('refuses a cursor made for another ordering', async () => {
      const { deps } = world();
      const alice = await callerFor(deps, 'alice@example.com');
      const err = await rejectionOf(listItems(deps, alice, {
        limit: 5, ordering: 'name', onlyMine: false, from: { ordering: 'id', key: 1, id: 1, direction: 'after' },
      }));
      expect((err as InvalidInput).errors[0]).to.include({ parameter: 'cursor' });
    });

    it('lists only the caller\'s items with onlyMine', async () => {
      const { deps } = world();
      const alice = await callerFor(deps, 'alice@example.com');
      const bob = await callerFor(deps, 'bob@example.com');
      await createItem(deps, alice, { name: 'a', description: '', price: '1' });
      await createItem(deps, bob, { name: 'b', description: '', price: '1' });
      const page = await listItems(deps, bob, { limit: 10, ordering: 'id', onlyMine: true });
      expect(page.items.map((i) => i.name)).to.deep.equal(['b']);
    });
  });

  describe('changePassword', () => {
    it('changes the password and revokes the token that changed it', async () => {
      const { deps, fake } = world();
      const alice = await callerFor(deps, 'alice@example.com');
      await changePassword(deps, alice, { oldPassword: 'correct horse', password: 'battery staple', password2: 'battery staple' });
      expect(await fake.introspect(alice.token)).to.deep.equal({ active: false });
      await getToken(deps, { email: 'alice@example.com', password: 'battery staple' });
    });

    it('reports success even when only the revocation fails, since the change itself happened', async () => {
      const { deps, fake } = world();
      const alice = await callerFor(deps, 'alice@example.com');
      fake.revoke = async () => { throw new Error('auth server went away'); };
      await changePassword(deps, alice, { oldPassword: 'correct horse', password: 'battery staple', password2: 'battery staple' });
    });
  });

  describe('normalizePrice', () => {
    for (const [input, expected] of [['0', '0.00'], ['1.5', '1.50'], [' 7 ', '7.00'], [0.1, '0.10'], [12, '12.00']] as const) {
      it(`turns ${JSON.stringify(input)} into "${expected}"`, () => expect(normalizePrice(input)).to.equal(expected));
    }
    for (const input of ['-1', '1.234', '1000000000000', 'abc', '', '01', 1e21, -0.5, Number.NaN, 1.005]) {
      it(`refuses ${JSON.stringify(input)}`, () => expect(() => normalizePrice(input)).to.throw(InvalidInput));
    }
  });
});
