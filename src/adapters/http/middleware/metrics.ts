import type Router from '@koa/router';
import type { Middleware } from 'koa';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { scrapeThroughPrimary } from '../../cluster/metrics-relay.js';
import type { Route } from '../contract/route.js';
import type { AppState } from '../state.js';
import { sentStatus } from '../server/server-limits.js';

/** What the metrics read at scrape time, never per request. Each is optional: absent, its gauges are not registered. */
export interface MetricsSources {
  /** The introspection cache's counters (`stats()` of the cache decorator). */
  cache?: () => { hits: number; misses: number; negativeHits: number; size: number };
  /** The circuit breaker's state (`state()` of the breaker decorator). */
  breaker?: () => 'closed' | 'half-open' | 'open';
  /** The database pool: connections open, idle, and requests waiting for one. */
  pool?: () => { total: number; idle: number; waiting: number };
}

export interface Metrics {
  registry: Registry;
  /** One finished request: the route template (or `unmatched`), method, status and duration. */
  observeRequest(route: string, method: string, status: number, seconds: number): void;
  /** observeRequest for one route and method, its labelled children looked up once per status: for a compiled operation. */
  requestObserver(route: string, method: string): (status: number, seconds: number) => void;
  /** One call to the authorization server; `failure` is the error code when it threw. */
  observeAuthCall(call: string, seconds: number, failure?: string): void;
  /** The exposition text: this process's, or with WORKERS > 1 every worker's summed by the primary. */
  scrape(): Promise<string>;
  /** Registers the gauges and counters read from `sources` at scrape time; once, after wiring. */
  watch(sources: MetricsSources): void;
}

const BREAKER_STATES = { closed: 0, 'half-open': 1, open: 2 } as const;
const SERVER_FAILURES = new Set(['auth_server_unavailable', 'auth_server_bad_answer', 'unexpected']);

/** In a cluster worker (`clusterWorker`), a scrape answers every worker's metrics, summed by the primary. */
export function createMetrics({ clusterWorker = false } = {}): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Histogram({
    name: 'gatehouse_http_request_duration_seconds', registers: [registry],
    help: 'HTTP requests by route template (unmatched for unknown paths), method and status; _count is the request count',
    labelNames: ['route', 'method', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  });
  const authCalls = new Histogram({
    name: 'gatehouse_auth_server_call_duration_seconds', registers: [registry],
    help: 'Calls to the authorization server by method and outcome (ok, or the error code)',
    labelNames: ['call', 'outcome'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  });
  const authErrors = new Counter({
    name: 'gatehouse_auth_server_errors_total', registers: [registry],
    help: 'Calls the authorization server failed: unavailable (refused, timed out, 5xx), bad answer, or unexpected',
    labelNames: ['call', 'error'] as const,
  });
  // One labelled child per (route, method, status), made once: a request costs map look-ups and one observation.
  const children = new Map<string, Map<string, Map<number, { observe(v: number): void }>>>();
  return {
    registry,
    observeRequest(route, method, status, seconds) {
      let byMethod = children.get(route);
      if (!byMethod) children.set(route, byMethod = new Map());
      let byStatus = byMethod.get(method);
      if (!byStatus) byMethod.set(method, byStatus = new Map());
      let child = byStatus.get(status);
      if (!child) byStatus.set(status, child = requests.labels(route, method, String(status)));
      child.observe(seconds);
    },
    requestObserver(route, method) {
      const byStatus = new Map<number, { observe(v: number): void }>();
      return (status, seconds) => {
        let child = byStatus.get(status);
        if (!child) byStatus.set(status, child = requests.labels(route, method, String(status)));
        child.observe(seconds);
      };
    },
    observeAuthCall(call, seconds, failure) {
      authCalls.labels(call, failure ?? 'ok').observe(seconds);
      if (failure && SERVER_FAILURES.has(failure)) authErrors.labels(call, failure).inc();
    },
    scrape: clusterWorker ? scrapeThroughPrimary(registry) : () => registry.metrics(),
    watch(sources) {
      if (sources.cache) registerCache(registry, sources.cache);
      if (sources.breaker) {
        const state = sources.breaker;
        new Gauge({ name: 'gatehouse_auth_breaker_state', help: 'Circuit breaker in front of the authorization server: 0 closed, 1 half-open, 2 open',
          registers: [registry], aggregator: 'max', collect() { this.set(BREAKER_STATES[state()]); } });
      }
      if (sources.pool) registerPool(registry, sources.pool);
    },
  };
}

function registerCache(registry: Registry, stats: NonNullable<MetricsSources['cache']>): void {
  const counter = (name: string, help: string, read: (s: ReturnType<typeof stats>) => number) =>
    new Counter({ name, help, registers: [registry], collect() { this.reset(); this.inc(read(stats())); } });
  counter('gatehouse_introspection_cache_hits_total', 'Introspections answered from the cache (active tokens)', (s) => s.hits);
  counter('gatehouse_introspection_cache_misses_total', 'Introspections that called the authorization server', (s) => s.misses);
  counter('gatehouse_introspection_cache_negative_hits_total', 'Introspections answered inactive from the cache (junk, revoked or expired tokens)', (s) => s.negativeHits);
  new Gauge({ name: 'gatehouse_introspection_cache_entries', help: 'Tokens in the introspection cache',
    registers: [registry], collect() { this.set(stats().size); } });
}

function registerPool(registry: Registry, stats: NonNullable<MetricsSources['pool']>): void {
  const gauge = (name: string, help: string, read: (s: ReturnType<typeof stats>) => number) =>
    new Gauge({ name, help, registers: [registry], collect() { this.set(read(stats())); } });
  gauge('gatehouse_db_pool_connections', 'Database connections open (idle or in use)', (s) => s.total);
  gauge('gatehouse_db_pool_idle_connections', 'Database connections open and idle', (s) => s.idle);
  gauge('gatehouse_db_pool_waiting_requests', 'Queries waiting for a free database connection', (s) => s.waiting);
}

/**
 * Outermost middleware: times each request and labels it with the router's template, never the
 * raw path, so label values stay bounded. `/items/:id` and `/items/:id/` are one route.
 */
export function requestMetrics(metrics: Metrics, router: Router<AppState>): Middleware<AppState> {
  const canonical = new Map<string, string>();
  const routeOf = (matched: string | undefined): string => {
    if (matched === undefined) return 'unmatched';
    let route = canonical.get(matched);
    if (route === undefined) canonical.set(matched, route = routeLabel(router, matched));
    return route;
  };
  return async (ctx, next) => {
    const started = performance.now(); // like the request log: no BigInt per request
    try {
      await next();
    } finally {
      const route = routeOf((ctx as { _matchedRoute?: string })._matchedRoute);
      metrics.observeRequest(route, ctx.method, sentStatus(ctx.req.socket, ctx.status), (performance.now() - started) / 1000);
    }
  };
}

/** The label of a router template: the trailing-slash spelling when both are registered. */
export function routeLabel(router: Router<AppState>, template: string): string {
  return router.stack.some((layer) => layer.path === `${template}/`) ? `${template}/` : template;
}

/** The Prometheus text format, version 0.0.4. */
export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** GET /metrics on the public port (when METRICS_PORT does not give it a listener of its own), traced as `GET /metrics`. */
export function metricsRoute(route: Route, metrics: Metrics): void {
  route('getMetrics', async () => ({ status: 200, body: await metrics.scrape(), headers: { 'Content-Type': METRICS_CONTENT_TYPE } }), { tracedByRoute: true });
}
