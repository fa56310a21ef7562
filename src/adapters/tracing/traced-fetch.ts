import { context, propagation, SpanKind } from '@opentelemetry/api';
import { Headers } from 'node-fetch';
import type { Fetch } from '../auth/http-client.js';
import { inSpan } from './in-span.js';

/**
 * The authorization server adapters' fetch, with a CLIENT span per call and the W3C `traceparent`
 * sent along, so the authorization server's own spans (or its access log) join the request's trace.
 * Recorded: method, the URL without its query, the status. Never the headers or bodies, which
 * hold client secrets, tokens and passwords.
 */
export function tracedFetch(fetch: Fetch): Fetch {
  const traced = (resource: Parameters<Fetch>[0], init: Parameters<Fetch>[1] = {}) => {
    const url = new URL(typeof resource === 'string' ? resource : 'href' in resource ? resource.href : resource.url);
    const method = (init.method ?? 'GET').toUpperCase();
    return inSpan(`${method} ${url.pathname}`, SpanKind.CLIENT, {
      'http.request.method': method, 'server.address': url.hostname, 'server.port': Number(url.port) || (url.protocol === 'https:' ? 443 : 80),
      'url.full': `${url.origin}${url.pathname}`,
    }, async (span) => {
      const headers = new Headers(init.headers);
      propagation.inject(context.active(), headers, { set: (carrier, key, value) => carrier.set(key, value) });
      const res = await fetch(resource, { ...init, headers });
      span.setAttribute('http.response.status_code', res.status);
      return res;
    });
  };
  return traced as Fetch;
}
