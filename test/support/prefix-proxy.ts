import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PrefixProxy {
  /** Where clients reach it, with the prefix: `http://127.0.0.1:<port>/gh`. */
  url: string;
  /** Every path it was asked for, as the client sent it. */
  asked: string[];
  /** Points it at the server behind it, once that one listens. */
  target(base: string): void;
  close(): Promise<void>;
}

/**
 * A reverse proxy as the README's nginx block sets one up: `/gh/…` goes to Gatehouse with `/gh`
 * stripped; the two well-known documents with the prefix inserted (`/.well-known/…/gh`) go as
 * they are; anything else is the proxy's own 404, so a URL that lost its prefix shows.
 */
export async function startPrefixProxy(prefix: string): Promise<PrefixProxy> {
  let upstream: URL | undefined;
  const asked: string[] = [];
  const wellKnown = new RegExp(`^/\\.well-known/(oauth-protected-resource|oauth-authorization-server)${prefix}(\\?.*)?$`);
  const server = http.createServer((req, res) => {
    const path = req.url ?? '/';
    asked.push(path);
    const forwarded = wellKnown.test(path) ? path
      : path === prefix || path.startsWith(`${prefix}/`) || path.startsWith(`${prefix}?`) ? path.slice(prefix.length) || '/' : undefined;
    if (!upstream || forwarded === undefined) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not under the prefix\n');
      return;
    }
    const out = http.request({ hostname: upstream.hostname, port: upstream.port, path: forwarded, method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    out.on('error', () => { if (!res.headersSent) res.writeHead(502).end(); else res.destroy(); });
    req.pipe(out);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${prefix}`,
    asked,
    target: (base) => { upstream = new URL(base); },
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
