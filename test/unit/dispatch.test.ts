import Router from '@koa/router';
import { expect } from 'chai';
import type { Middleware } from 'koa';
import { dispatcher } from '../../src/adapters/http/contract/dispatch.js';
import type { CompiledOperation, Matched } from '../../src/adapters/http/contract/compile-operation.js';
import type { AppState } from '../../src/adapters/http/state.js';

/**
 * The dispatcher must pick, for every request, the layer @koa/router would run: the first
 * registered whose path and method match (case-insensitively, strict about the trailing slash).
 */
describe('the dispatcher in front of the router', () => {
  const router = new Router<AppState>({ strict: true });
  const compiled = new Map<unknown, string>();
  const register = (method: 'get' | 'post' | 'put', paths: string[], name: string) => {
    const stub: Middleware<AppState> = () => { throw new Error('not reached'); };
    compiled.set(stub, name);
    router[method](paths, stub);
  };
  register('get', ['/items/', '/items'], 'listItems');
  register('post', ['/items/', '/items'], 'createItem');
  register('get', ['/items/:id/', '/items/:id'], 'getItem');
  register('put', ['/items/:id/', '/items/:id'], 'replaceItem');
  register('get', ['/docs/openapi.json'], 'docsDocument');
  register('get', ['/docs/:file'], 'docsFile');
  register('get', ['/docs/swagger-ui.css'], 'shadowedByTheTemplate'); // the router never reaches it: /docs/:file comes first
  register('get', ['/'], 'root');
  router.get(/^\/legacy\/.*$/, () => undefined); // none of route()'s: left to the router

  const seen: { name: string; matched: Matched }[] = [];
  const dispatch = dispatcher(router, (middleware) => {
    const name = compiled.get(middleware);
    return name === undefined ? undefined : (async (_ctx, matched) => { seen.push({ name, matched }); }) as CompiledOperation;
  });

  /** The operation the dispatcher calls for a request, or `next` when it leaves it to the chain. */
  async function pick(method: string, path: string): Promise<{ name: string; matched?: Matched }> {
    seen.length = 0;
    let passed = false;
    await dispatch({ method, path } as never, async () => { passed = true; });
    return passed ? { name: 'next' } : seen[0]!;
  }

  /** What the router itself would run first for the same request. */
  function routerPicks(method: string, path: string): string {
    const layer = router.match(path, method).pathAndMethod[0];
    if (!layer) return 'next';
    return compiled.get(layer.stack.at(-1)) ?? 'next';
  }

  const REQUESTS: [string, string][] = [
    ['GET', '/items/'], ['GET', '/items'], ['HEAD', '/items/'], ['POST', '/items'], ['PUT', '/items/'], ['GET', '/ITEMS/'],
    ['GET', '/items//'], ['GET', '/items/42/'], ['GET', '/items/42'], ['HEAD', '/Items/42/'], ['PUT', '/items/7/'], ['GET', '/items/42//'],
    ['GET', '/items/%31/'], ['GET', '/items/a%2Fb/'], ['GET', '/docs/openapi.json'], ['GET', '/docs/OPENAPI.JSON'], ['GET', '/docs/swagger-ui.css'],
    ['GET', '/docs/'], ['GET', '/'], ['GET', '//'], ['OPTIONS', '/items/'], ['PROPFIND', '/items/'], ['GET', '/legacy/x'], ['GET', '/nothing'],
  ];

  for (const [method, path] of REQUESTS) {
    it(`${method} ${path}: the layer the router would run`, async () => {
      expect((await pick(method, path)).name).to.equal(routerPicks(method, path));
    });
  }

  it("gives the matched layer's template, its metrics label and its decoded parameters", async () => {
    expect((await pick('GET', '/items/%31')).matched).to.deep.equal({ template: '/items/:id', label: '/items/:id/', params: { id: '1' } });
    expect((await pick('GET', '/docs/x.css')).matched).to.deep.equal({ template: '/docs/:file', label: '/docs/:file', params: { file: 'x.css' } });
    expect((await pick('GET', '/items')).matched).to.deep.equal({ template: '/items', label: '/items/', params: {} });
  });
});
