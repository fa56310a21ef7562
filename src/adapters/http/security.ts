import cors from '@koa/cors';
import type { Middleware } from 'koa';
import helmet from 'koa-helmet';
import type { AppState } from './context.js';

/**
 * Security headers on every answer. The Content-Security-Policy is strict except where Swagger UI
 * needs it not to be: its React components set inline styles and its icons are data: URIs.
 * Scripts come only from this origin (the docs initializer is a file for that reason).
 */
export function securityHeaders(): Middleware<AppState> {
  return helmet({
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
  }) as unknown as Middleware<AppState>;
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
    allowHeaders: ['Authorization', 'Content-Type', 'If-Match', 'Idempotency-Key', 'X-Request-Id'],
    exposeHeaders: ['Location', 'ETag', 'Retry-After', 'WWW-Authenticate', 'X-Request-Id'],
    maxAge: 600,
  }) as unknown as Middleware<AppState>;
}
