import Router from '@koa/router';
import Koa, { type Middleware } from 'koa';
import type { Logger } from 'pino';
import type { Deps } from '../../ports/index.js';
import type { AppState } from './state.js';
import { operationRoutes } from './contract/route.js';
import type { ProofVerifier } from './dpop/proof.js';
import { renderErrors } from './answers/render-errors.js';
import type { RequestValidators } from './contract/request-validator.js';
import { metricsRoute, requestMetrics, type Metrics } from './middleware/metrics.js';
import type { RateLimits } from './middleware/rate-limit.js';
import { corsFor, securityHeaderBlock, securityHeaders } from './middleware/security.js';
import { requestLine } from './middleware/request-log.js';
import { RequestState, requestIdOf } from './request-state.js';
import { dispatcher } from './contract/dispatch.js';
import { sentStatus } from './server/server-limits.js';
import { BodyReads, DEFAULT_BODY_READ_LIMITS, type BodyReadLimits } from './reading/body-reads.js';
import { clientAddress } from './reading/client-address.js';
import { adminRoutes } from './routes/admin.js';
import { discoveryRoutes } from './routes/discovery.js';
import { itemRoutes } from './routes/items.js';
import { metaRoutes, type MetaOptions } from './routes/meta.js';
import { userRoutes } from './routes/users.js';

export interface AppOptions extends MetaOptions {
  deps: Deps;
  /** PUBLIC_URL: the base of every absolute URL written, never the request's Host. */
  publicUrl: string;
  validators: RequestValidators;
  /** DPoP proofs (RFC 9449): checked at every protected operation and at the token endpoints. */
  dpop: ProofVerifier;
  logger: Logger;
  /** Origins browsers may call the API from (CORS_ORIGINS); empty sends no CORS headers. */
  corsOrigins: readonly string[];
  /** Per-address and per-account budgets of the sign-up and token routes; none when absent. */
  rateLimits?: RateLimits;
  /** GET /metrics and per-request timing (METRICS_ENABLED); neither when absent. */
  metrics?: Metrics;
  /** TRUST_PROXY: reverse proxies in front that append to X-Forwarded-For (default 0); see clientAddress. */
  trustProxy?: number;
  /** How many request bodies are read at once, per client address and in all; see BodyReads. */
  bodyReads?: BodyReadLimits;
  /** Tracing is on: this middleware opens each request's server span, outermost (see adapters/tracing). */
  traceRequests?: Middleware<AppState>;
  /** GET /metrics has a listener of its own (METRICS_PORT): here it is a 404, requests are still timed. */
  metricsElsewhere?: boolean;
}

export function createApp(options: AppOptions): Koa<AppState> {
  const app = new Koa<AppState>();
  app.silent = true; // unexpected errors are logged by the error middleware, once, with the request id
  const bodyReads = new BodyReads(options.bodyReads ?? DEFAULT_BODY_READ_LIMITS, options.logger);
  const routeDeps = { deps: options.deps, validators: options.validators, publicUrl: options.publicUrl, dpop: options.dpop, bodyReads };
  const trustProxy = options.trustProxy ?? 0;
  const { algorithms, required } = options.dpop.settings;
  const renderAt = { baseUrl: options.publicUrl, dpop: { algorithms, bearerAllowed: !required } };
  const line = requestLine(options.logger);
  const cors = corsFor(options.corsOrigins);
  const security = securityHeaderBlock();
  // strict: exactly the spellings registered (see paths()); by default `/items//` would be the collection.
  const router = new Router<AppState>({ strict: true });
  const { route, compiledOf } = operationRoutes(router, routeDeps, options.document.json, {
    logger: options.logger, line, trustProxy, securityHeaders: security, cors, renderAt, metrics: options.metrics,
  });
  userRoutes(route, routeDeps, options.rateLimits);
  itemRoutes(route, routeDeps);
  adminRoutes(route, routeDeps);
  discoveryRoutes(route, routeDeps, options);
  metaRoutes(route, options);
  if (options.metrics && !options.metricsElsewhere) metricsRoute(route, options.metrics);

  if (options.traceRequests) app.use(options.traceRequests); // first: every log line and span of the request is inside it
  // Every operation's request is answered here, whole, by its compiled function; what follows is
  // the chain for the requests no operation takes: unknown paths, 405, 501, OPTIONS and preflights.
  app.use(dispatcher(router, compiledOf));
  if (options.metrics) app.use(requestMetrics(options.metrics, router)); // outermost: times the whole request

  app.use(async (ctx, next) => {
    ctx.request.ip = clientAddress(ctx.req, trustProxy); // ctx.ip, for every per-client limit
    const requestId = requestIdOf(ctx.req);
    const state = new RequestState(requestId, options.logger);
    ctx.state = state;
    ctx.set('X-Request-Id', requestId);
    const started = performance.now();
    try {
      await next();
    } finally {
      line(requestId, ctx.method, ctx.path, sentStatus(ctx.req.socket, ctx.status), performance.now() - started, state.caller?.user.id);
    }
  });
  if (cors) app.use(cors);
  app.use(securityHeaders()); // before the error renderer, so problems carry the headers too
  app.use(renderErrors(renderAt));
  app.use(router.routes()).use(router.allowedMethods());
  return app;
}
