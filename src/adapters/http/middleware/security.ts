import cors from '@koa/cors';
import type { Middleware } from 'koa';
import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet from 'helmet';
import type { AppState } from '../state.js';

/**
 * Security headers on every answer: helmet's, worked out once at start-up (our policy has no
 * per-request parts such as nonces) and set as one object, instead of a dozen middlewares a
 * request. The Content-Security-Policy is strict except where Swagger UI needs it not to be: its
 * React components set inline styles and its icons are data: URIs. Scripts come only from this
 * origin (the docs initializer is a file for that reason).
 */
export function securityHeaders(): Middleware<AppState> {
  const headers = securityHeaderBlock();
  return async (ctx, next) => {
    ctx.set(headers);
    await next();
  };
}

/** Helmet's headers as one object, computed once: what every answer carries (a compiled operation writes them as one block). */
export function securityHeaderBlock(): Record<string, string> {
  const headers: Record<string, string> = {};
  const res = {
    setHeader: (name: string, value: unknown) => { headers[name] = String(value); },
    removeHeader: (name: string) => { delete headers[name]; },
  };
  let done = false;
  helmet({
    contentSecurityPolicy: {
      useDefaults: true,
      directives: {
        'default-src': ["'self'"],
        'script-src': ["'self'"],
        'style-src': ["'self'", "'unsafe-inline'"],
        'img-src': ["'self'", 'data:'],
        'connect-src': ["'self'"],
      },
    },
    // Plain HTTP on 127.0.0.1 is the default deployment; HSTS belongs to whoever terminates TLS.
    strictTransportSecurity: false,
  })({} as IncomingMessage, res as unknown as ServerResponse, (err?: unknown) => { if (err) throw err; done = true; });
  if (!done) throw new Error('helmet did not finish synchronously: its headers cannot be computed once');
  return headers;
}

/**
 * CORS for the origins in the allow-list only; with an empty list no CORS headers are sent and
 * browsers keep other origins out. Credentials are not needed: the API uses bearer tokens, not cookies.
 */
export function corsFor(allowedOrigins: readonly string[]): Middleware<AppState> | undefined {
  if (allowedOrigins.length === 0) return undefined;
  const allowed = new Set(allowedOrigins);
  return cors({
    origin: (ctx) => (allowed.has(ctx.get('Origin')) ? ctx.get('Origin') : ''),
    allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowHeaders: ['Authorization', 'Content-Type', 'If-Match', 'If-None-Match', 'Idempotency-Key', 'X-Request-Id'],
    exposeHeaders: ['Location', 'ETag', 'Retry-After', 'WWW-Authenticate', 'X-Request-Id'],
    maxAge: 600,
  }) as unknown as Middleware<AppState>;
}
