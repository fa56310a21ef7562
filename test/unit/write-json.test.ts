import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import Koa from 'koa';
import { writeJson, writesAsJson } from '../../src/adapters/http/answers/write-json.js';

/** A JSON answer written straight to Node must reach the client as Koa's setters and respond() sent it. */
describe('JSON answers written directly', () => {
  it('takes only JSON bodies with a status that has one, and no header of the body', () => {
    expect(writesAsJson(200, { a: 1 }, undefined)).to.equal(true);
    expect(writesAsJson(201, [1], { Location: '/items/1/', ETag: '"1"' })).to.equal(true);
    expect(writesAsJson(200, 'text', undefined)).to.equal(false);
    expect(writesAsJson(200, Buffer.from('x'), undefined)).to.equal(false);
    expect(writesAsJson(200, undefined, undefined)).to.equal(false);
    expect(writesAsJson(200, null, undefined)).to.equal(false);
    expect(writesAsJson(304, { a: 1 }, undefined)).to.equal(false);
    expect(writesAsJson(200, { a: 1 }, { 'content-type': 'application/x+json' })).to.equal(false);
  });

  for (const method of ['GET', 'HEAD']) {
    it(`${method}: the same status, headers and bytes as Koa's own answer`, async () => {
      const body = { name: 'lampe à café', price: '12.50', list: [1, 2] };
      const app = new Koa();
      app.use(async (ctx) => {
        if (ctx.path === '/koa') {
          ctx.set({ 'X-Request-Id': 'r1' });
          ctx.status = 201;
          ctx.set({ ETag: '"3"' });
          ctx.body = body;
        } else {
          writeJson(ctx as never, 201, ['X-Request-Id', 'r1'], body, { ETag: '"3"' });
        }
      });
      const server = app.listen(0, '127.0.0.1');
      await once(server, 'listening');
      try {
        const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        const [viaKoa, direct] = await Promise.all(['/koa', '/direct'].map(async (path) => {
          const res = await fetch(`${base}${path}`, { method });
          const headers = Object.fromEntries([...res.headers].filter(([name]) => name !== 'date'));
          return { status: res.status, headers, text: await res.text() };
        }));
        expect(direct).to.deep.equal(viaKoa);
        expect(direct!.headers['content-length']).to.equal(String(Buffer.byteLength(JSON.stringify(body))));
      } finally {
        server.close();
      }
    });
  }
});
