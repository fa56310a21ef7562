import { once } from 'node:events';
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import { METRICS_CONTENT_TYPE, type Metrics } from '../middleware/metrics.js';
import { createLimitedServer } from './server-limits.js';

/**
 * GET /metrics on a listener of its own (METRICS_PORT, METRICS_HOST), so the scrape (100–200 KB of
 * per-route and per-status counts, a few ms of CPU) is not offered to whoever reaches the public
 * port. Nothing else is served here. In a cluster every worker listens on it (node:cluster shares
 * the port) and whichever answers gives every worker's metrics, summed by the primary.
 */
export async function listenForScrapes(metrics: Metrics, { host, port }: { host: string; port: number }, log: Logger): Promise<Server> {
  const server = createLimitedServer((req, res) => {
    if (new URL(req.url ?? '/', 'http://metrics').pathname !== '/metrics') {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('only /metrics is served here\n');
    } else if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' }).end('GET /metrics\n');
    } else {
      metrics.scrape().then((text) => {
        res.writeHead(200, { 'Content-Type': METRICS_CONTENT_TYPE }).end(req.method === 'HEAD' ? undefined : text);
      }, (err: Error) => {
        log.warn({ err: { name: err.name, message: err.message } }, 'metrics scrape failed');
        res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8', 'Retry-After': '5' }).end('metrics unavailable\n');
      });
    }
  });
  server.listen(port, host);
  await once(server, 'listening');
  return server;
}
