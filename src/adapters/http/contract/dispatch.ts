import type Router from '@koa/router';
import type { Middleware } from 'koa';
import { routeLabel } from '../middleware/metrics.js';
import type { AppState, Ctx } from '../state.js';
import type { CompiledOperation } from './compile-operation.js';

type Layer = Router<AppState>['stack'][number];
interface Target { layer: Layer; template: string; compiled: CompiledOperation | undefined; label: string }

/**
 * In front of the global chain: finds the operation a request is for, as @koa/router would (its
 * first layer, in the order registered, whose path and method match), and calls that operation's
 * compiled function, which answers the whole request. Built from the router's own layers once every
 * route is registered, so both agree by construction; a request no operation takes (an unknown
 * path, 405, 501, OPTIONS, a CORS preflight) goes on down the global chain and the router as before.
 *
 * The router tests every layer's regular expression in turn (about 8 µs of a GET in a `--perf`
 * profile): here a path without parameters is one Map lookup (exact, then lower-cased: the router
 * matches case-insensitively), and only the parameterised templates are tested, in order.
 */
export function dispatcher(router: Router<AppState>, compiledOf: (middleware: unknown) => CompiledOperation | undefined): Middleware<AppState> {
  const byMethod = new Map<string, { exact: Map<string, Target>; patterns: Target[] }>();
  for (const layer of router.stack) {
    const { path } = layer;
    // A layer of a regular expression is none of route()'s: the requests it would take stay the router's.
    const target: Target = typeof path === 'string'
      ? { layer, template: path, compiled: compiledOf(layer.stack.at(-1)), label: routeLabel(router, path) }
      : { layer, template: '', compiled: undefined, label: '' };
    for (const method of layer.methods) {
      let table = byMethod.get(method);
      if (!table) byMethod.set(method, table = { exact: new Map(), patterns: [] });
      if (typeof path === 'string' && isLiteral(layer, path)) {
        const key = path.toLowerCase();
        // A literal path an earlier template (or spelling) already takes is never reached in the router either.
        if (!table.exact.has(key) && !table.patterns.some((earlier) => earlier.layer.match(path))) table.exact.set(key, target);
      } else {
        table.patterns.push(target);
      }
    }
  }

  return (ctx, next) => {
    const table = byMethod.get(ctx.method);
    if (!table) return next();
    const path = ctx.path;
    let target = table.exact.get(path) ?? table.exact.get(path.toLowerCase());
    if (target === undefined) {
      for (const candidate of table.patterns) if (candidate.layer.regexp.test(path)) { target = candidate; break; }
    }
    if (target?.compiled === undefined) return next();
    const { layer } = target;
    const params = layer.paramNames.length ? layer.params(path, layer.captures(path), {}) : {};
    return target.compiled(ctx as Ctx, { template: target.template, label: target.label, params });
  };
}

/**
 * A layer whose path matches only itself, in any case: no parameters, none of path-to-regexp's
 * special characters, and its expression says so.
 */
function isLiteral(layer: Layer, path: string): boolean {
  return layer.paramNames.length === 0 && !/[:*?+(){}\\!]/.test(path)
    && layer.match(path) && layer.match(path.toUpperCase()) && !layer.match(`${path}x`) && !layer.match(`${path}/`);
}
