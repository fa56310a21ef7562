import { context, propagation, SpanKind } from '@opentelemetry/api';
import type { Fetch, FetchInit } from '../auth/node-http-fetch.js';
import { inSpan } from './in-span.js';

/**
 * The authorization server adapters' fetch, with a CLIENT span per call and the W3C `traceparent`
 * sent along, so the authorization server's own spans (or its access log) join the request's trace.
 * Recorded: method, the URL without its query, the status. Never the headers or bodies, which
 * hold client secrets, tokens and passwords.
 */
export function tracedFetch(fetch: Fetch): Fetch {
  const traced: Fetch = (resource: string, init: FetchInit) => {
    const url = new URL(resource);
    const method = init.method.toUpperCase();
    return inSpan(`${method} ${url.pathname}`, SpanKind.CLIENT, {
      'http.request.method': method, 'server.address': url.hostname, 'server.port': Number(url.port) || (url.protocol === 'https:' ? 443 : 80),
      'url.full': `${url.origin}${url.pathname}`,
    }, async (span) => {
      const headers = { ...init.headers };
      propagation.inject(context.active(), headers);
      const res = await fetch(resource, { ...init, headers });
      span.setAttribute('http.response.status_code', res.status);
      return res;
    });
  };
  return traced;
}
