import { expect } from 'chai';
import type { ApiClient } from '../support/api-client.js';

type User = Awaited<ReturnType<ApiClient['newUser']>>;
const name = (p: string) => `${p}-${Math.random().toString(36).slice(2, 10)}`;

/** `newUser` defaults to signing up through Gatehouse; servers without sign-up bring their own. */
export function itemEndpointsSuite(
  api: () => ApiClient,
  newUser: (prefix: string, scope?: string) => Promise<User> = (prefix, scope) => api().newUser(prefix, scope),
): void {
  let alice: User;
  let bob: User;
  before(async () => {
    alice = await newUser('alice');
    bob = await newUser('bob');
  });

  const create = async (owner: User, body: Record<string, unknown>) => {
    const res = await api().post('/items/', { token: owner.token, json: body });
    expect(res.status, res.text).to.equal(201);
    return res;
  };

  describe('authentication and scopes', () => {
    it('answers 401 with a bare Bearer challenge without a token', async () => {
      const res = await api().get('/items/');
      expect(res.status).to.equal(401);
      expect(res.headers.get('www-authenticate')).to.match(/^Bearer realm="gatehouse"/).and.not.match(/error=/);
    });

    it('names the RFC 9728 resource metadata in every challenge, and that URL answers', async () => {
      const metadata = `${api().baseUrl.replace(/\/$/, '')}/.well-known/oauth-protected-resource`;
      const challenges = [
        (await api().get('/items/')).headers.get('www-authenticate'),
        (await api().get('/items/', { token: 'not-a-real-token' })).headers.get('www-authenticate'),
      ];
      for (const challenge of challenges) expect(challenge).to.match(new RegExp(`, resource_metadata="${metadata}"$`));
      expect((await api().get(new URL(metadata).pathname)).status).to.equal(200);
    });

    it('answers 401 invalid_token for a token the auth server does not know', async () => {
      const res = await api().get('/items/', { token: 'not-a-real-token' });
      expect(res.status).to.equal(401);
      expect(res.headers.get('www-authenticate')).to.include('error="invalid_token"');
    });

    it('lets a read-only token read but not write (403 insufficient_scope)', async () => {
      const reader = await newUser('reader', 'read');
      expect((await api().get('/items/', { token: reader.token })).status).to.equal(200);
      const res = await api().post('/items/', { token: reader.token, json: { name: name('r'), description: '', price: '1' } });
      expect(res.status).to.equal(403);
      expect(res.headers.get('www-authenticate')).to.include('error="insufficient_scope"');
    });
  });

  describe('create and read', () => {
    it('creates an item: 201, Location, ETag, the price as a two-place string, the caller as owner', async () => {
      const n = name('lamp');
      const res = await create(alice, { name: n, description: 'red', price: 12.5 });
      expect(res.body).to.deep.equal({ id: res.body.id, name: n, description: 'red', price: '12.50', user: { id: alice.id, email: alice.email } });
      expect(res.headers.get('location')).to.equal(`/items/${res.body.id}/`);
      const read = await api().get(res.headers.get('location')!, { token: bob.token });
      expect(read.status).to.equal(200);
      expect(read.body).to.deep.equal(res.body);
      expect(read.headers.get('etag')).to.equal(res.headers.get('etag'));
      expect((await api().get(`/items/${res.body.id}`, { token: bob.token })).status).to.equal(200);
    });

    it('answers 409 for a name that exists', async () => {
      const n = name('dup');
      await create(alice, { name: n, description: '', price: '1' });
      const res = await api().post('/items/', { token: bob.token, json: { name: n, description: '', price: '1' } });
      expect(res.status).to.equal(409);
      expect(res.body.type).to.equal('/problems/name_taken');
    });

    it('answers 400 naming each field at fault, and stores nothing', async () => {
      const n = name('x') + 'y'.repeat(50);
      const res = await api().post('/items/', { token: alice.token, json: { name: n, description: 'd'.repeat(251), price: '1.234' } });
      expect(res.status).to.equal(400);
      expect(res.body.errors.map((e: { pointer: string }) => e.pointer).sort()).to.deep.equal(['/description', '/name', '/price']);
      const list = await api().get('/items/?limit=100&owner=me', { token: alice.token });
      expect(list.body.results.map((i: { name: string }) => i.name)).not.to.include(n);
    });

    for (const [label, body, pointer] of [
      ['a negative price', { price: '-5.00' }, '/price'],
      ['a price of 10^12', { price: '1000000000000' }, '/price'],
      ['a read-only user', { user: { id: 1 } }, '/user'],
      ['a read-only id', { id: 7 }, '/id'],
      ['an unknown field', { colour: 'red' }, '/colour'],
    ] as const) {
      it(`answers 400 for ${label}`, async () => {
        const res = await api().post('/items/', { token: alice.token, json: Object.assign({ description: '', price: '1' }, body, { name: name('bad') }) });
        expect(res.status).to.equal(400);
        expect(res.body.errors.map((e: { pointer: string }) => e.pointer)).to.include(pointer);
      });
    }

    it('answers 404 for an id that does not exist or is not a number', async () => {
      expect((await api().get('/items/99999999/', { token: alice.token })).status).to.equal(404);
      expect((await api().get('/items/abc/', { token: alice.token })).status).to.equal(404);
    });
  });

  describe('change and delete', () => {
    it('lets the owner PUT a full item and PATCH a part of it', async () => {
      const { body: item } = await create(alice, { name: name('desk'), description: 'oak', price: '100' });
      const n = name('desk2');
      const put = await api().put(`/items/${item.id}/`, { token: alice.token, json: { name: n, description: 'pine', price: '90.5' } });
      expect(put.status).to.equal(200);
      expect(put.body).to.include({ name: n, description: 'pine', price: '90.50' });
      const partial = await api().put(`/items/${item.id}/`, { token: alice.token, json: { price: '1' } });
      expect(partial.status).to.equal(400);
      const patch = await api().patch(`/items/${item.id}/`, { token: alice.token, json: { price: '2' } });
      expect(patch.status).to.equal(200);
      expect(patch.body).to.include({ name: n, price: '2.00' });
    });

    it('answers 403 when another user changes or deletes an item, and changes nothing', async () => {
      const { body: item } = await create(alice, { name: name('mine'), description: 'x', price: '5' });
      expect((await api().put(`/items/${item.id}/`, { token: bob.token, json: { name: name('stolen'), description: '', price: '0' } })).status).to.equal(403);
      expect((await api().patch(`/items/${item.id}/`, { token: bob.token, json: { price: '0' } })).status).to.equal(403);
      expect((await api().delete(`/items/${item.id}/`, { token: bob.token })).status).to.equal(403);
      expect((await api().get(`/items/${item.id}/`, { token: alice.token })).body).to.deep.equal(item);
    });

    it('honours If-Match: 412 for a stale tag, 200 for the current one', async () => {
      const created = await create(alice, { name: name('etag'), description: '', price: '1' });
      const etag = created.headers.get('etag')!;
      const first = await api().patch(`/items/${created.body.id}/`, { token: alice.token, json: { price: '2' }, headers: { 'If-Match': etag } });
      expect(first.status).to.equal(200);
      const stale = await api().patch(`/items/${created.body.id}/`, { token: alice.token, json: { price: '3' }, headers: { 'If-Match': etag } });
      expect(stale.status).to.equal(412);
      const staleDelete = await api().delete(`/items/${created.body.id}/`, { token: alice.token, headers: { 'If-Match': etag } });
      expect(staleDelete.status).to.equal(412);
      expect((await api().get(`/items/${created.body.id}/`, { token: alice.token })).body.price).to.equal('2.00');
    });

    it('honours If-None-Match on GET: 304 with the ETag and no body for the current tag (weak, in a list, or *), 200 once it changed', async () => {
      const created = await create(alice, { name: name('cond'), description: '', price: '1' });
      const path = `/items/${created.body.id}/`;
      const etag = created.headers.get('etag')!;
      for (const header of [etag, `W/${etag}`, `"v999", ${etag}`, `W/"v0",W/${etag}`, '*']) {
        const res = await api().get(path, { token: bob.token, headers: { 'If-None-Match': header } });
        expect(res.status, header).to.equal(304);
        expect(res.headers.get('etag')).to.equal(etag);
        expect(res.text).to.equal('');
      }
      for (const header of ['"v999"', 'W/"v999", "other"', etag.replace(/"/g, ''), '']) {
        const res = await api().get(path, { token: bob.token, headers: { 'If-None-Match': header } });
        expect(res.status, header).to.equal(200);
        expect(res.body).to.deep.equal(created.body);
      }
      await api().patch(path, { token: alice.token, json: { price: '2' } });
      const changed = await api().get(path, { token: bob.token, headers: { 'If-None-Match': etag } });
      expect(changed.status).to.equal(200);
      expect(changed.headers.get('etag')).to.not.equal(etag);
      // Checked before the condition, as for a 200: no token, no item.
      expect((await api().get(path, { headers: { 'If-None-Match': '*' } })).status).to.equal(401);
      expect((await api().get('/items/999999999/', { token: bob.token, headers: { 'If-None-Match': '*' } })).status).to.equal(404);
    });

    it('deletes an item (204), after which it is 404', async () => {
      const { body: item } = await create(alice, { name: name('gone'), description: '', price: '1' });
      expect((await api().delete(`/items/${item.id}/`, { token: alice.token })).status).to.equal(204);
      expect((await api().get(`/items/${item.id}/`, { token: alice.token })).status).to.equal(404);
      expect((await api().delete(`/items/${item.id}/`, { token: alice.token })).status).to.equal(404);
    });

    it('answers 405 with Allow for a method the path does not have', async () => {
      const res = await api().delete('/items/', { token: alice.token });
      expect(res.status).to.equal(405);
      expect(res.headers.get('allow')).to.include('GET');
    });
  });

  describe('GET /items/ pagination', () => {
    let carol: User;
    const names: string[] = [];
    before(async () => {
      carol = await newUser('carol');
      for (let i = 0; i < 25; i++) {
        const n = name(`page${String(i).padStart(2, '0')}`);
        names.push(n);
        await create(carol, { name: n, description: '', price: String(i % 5) }); // ties on price
      }
    });

    const walk = async (first: string, token: string) => {
      const seen: any[] = [];
      let url: string | null = first;
      let pages = 0;
      let last: any;
      while (url) {
        last = await api().get(url, { token });
        expect(last.status).to.equal(200);
        seen.push(...last.body.results);
        url = last.body.next;
        if (++pages > 10) throw new Error('pagination does not end');
      }
      return { seen, last, pages };
    };

    it('walks every item of the owner once, forward by next and back by previous', async () => {
      const { seen, last, pages } = await walk('/items/?owner=me&limit=10', carol.token);
      expect(pages).to.equal(3);
      expect(seen.map((i) => i.id)).to.deep.equal([...seen.map((i) => i.id)].sort((a, b) => a - b));
      expect(seen.map((i) => i.name)).to.deep.equal(names);
      const back = await api().get(last.body.previous, { token: carol.token });
      expect(back.body.results.map((i: any) => i.name)).to.deep.equal(names.slice(10, 20));
      expect(back.body.next).to.be.a('string');
      const start = await api().get(back.body.previous, { token: carol.token });
      expect(start.body.results.map((i: any) => i.name)).to.deep.equal(names.slice(0, 10));
      expect(start.body.previous).to.equal(null);
    });

    it('orders by -price with ties broken by id, without skipping or repeating', async () => {
      const { seen } = await walk('/items/?owner=me&limit=7&ordering=-price', carol.token);
      const expected = [...seen].sort((a, b) => Number(b.price) - Number(a.price) || b.id - a.id);
      expect(seen.map((i) => i.id)).to.deep.equal(expected.map((i) => i.id));
      expect(new Set(seen.map((i) => i.id)).size).to.equal(25);
    });

    it('shows everyone\'s items without owner=me', async () => {
      const res = await api().get('/items/?limit=100', { token: bob.token });
      expect(res.body.results.some((i: any) => i.user.id === carol.id)).to.equal(true);
    });

    it('answers 400 naming the parameter for a bad limit, ordering or cursor', async () => {
      for (const [query, parameter] of [['limit=0', 'limit'], ['limit=101', 'limit'], ['ordering=colour', 'ordering'], ['cursor=garbage', 'cursor']]) {
        const res = await api().get(`/items/?${query}`, { token: bob.token });
        expect(res.status, query).to.equal(400);
        expect(res.body.errors[0].parameter, query).to.equal(parameter);
      }
    });
  });
}
