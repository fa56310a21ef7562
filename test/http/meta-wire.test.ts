import { createHash, randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { startTestGatehouse, type GatehouseUnderTest } from '../support/gatehouse.js';
import { processOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver.js';

/**
 * The meta operations on the wire, byte for byte where the bytes are fixed: status, every header
 * (but Date, X-Request-Id and the connection's own), the body's sha256 (a prefix), the metrics label
 * the request is counted under and its server span's name. How these operations are registered may
 * change; none of this may. A body that follows the document, the metrics or the swagger-ui-dist
 * package changes with them (`*`: meta-suite.ts checks those). `META_WIRE_PRINT=1` prints everything
 * seen, every hash included, to compare a run before a change with one after.
 */
const PUBLIC_URL = 'https://api.example.com';

interface Seen { status: number; headers: Record<string, string>; body: string; route: string; span: string }

/** What every answer carries (helmet's defaults). */
const EVERY_ANSWER = {
  'content-security-policy': "default-src 'self';base-uri 'self';font-src 'self' https: data:;form-action 'self';frame-ancestors 'self';img-src 'self' data:;object-src 'none';script-src 'self';script-src-attr 'none';style-src 'self' 'unsafe-inline';upgrade-insecure-requests;connect-src 'self'",
  'cross-origin-opener-policy': 'same-origin', 'cross-origin-resource-policy': 'same-origin', 'origin-agent-cluster': '?1',
  'referrer-policy': 'no-referrer', 'x-content-type-options': 'nosniff', 'x-dns-prefetch-control': 'off', 'x-download-options': 'noopen',
  'x-frame-options': 'SAMEORIGIN', 'x-permitted-cross-domain-policies': 'none', 'x-xss-protection': '0',
};

/** Request sent, and what it gets beyond EVERY_ANSWER. */
const EXPECTED: [string, Seen][] = [
  ["GET /", { status: 302, headers: {"content-length": "0", "location": "/docs"}, body: "e3b0c44298fc1c14", route: "/", span: "GET /" }],
  ["HEAD /", { status: 302, headers: {"location": "/docs"}, body: "e3b0c44298fc1c14", route: "/", span: "HEAD /" }],
  ["POST /", { status: 405, headers: {"allow": "HEAD, GET", "content-length": "139", "content-type": "application/problem+json"}, body: "da5158fe6d0aa04c", route: "unmatched", span: "POST" }],
  ["GET /healthz", { status: 200, headers: {"content-length": "15", "content-type": "application/json; charset=utf-8"}, body: "a29ee2b15c494311", route: "/healthz", span: "GET /healthz" }],
  ["HEAD /healthz", { status: 200, headers: {"content-length": "15", "content-type": "application/json; charset=utf-8"}, body: "e3b0c44298fc1c14", route: "/healthz", span: "HEAD /healthz" }],
  ["GET /healthz/", { status: 404, headers: {"content-length": "99", "content-type": "application/problem+json"}, body: "74b8959dab5f733c", route: "unmatched", span: "GET" }],
  ["POST /healthz", { status: 405, headers: {"allow": "HEAD, GET", "content-length": "139", "content-type": "application/problem+json"}, body: "da5158fe6d0aa04c", route: "unmatched", span: "POST" }],
  ["GET /readyz", { status: 200, headers: {"content-length": "60", "content-type": "application/json; charset=utf-8"}, body: "4fc8b9a8a9afdec2", route: "/readyz", span: "GET /readyz" }],
  ["GET /metrics", { status: 200, headers: {"content-type": "text/plain; version=0.0.4; charset=utf-8"}, body: "*", route: "/metrics", span: "GET /metrics" }],
  ["GET /openapi.yaml", { status: 200, headers: {"content-type": "application/yaml"}, body: "*", route: "/openapi.yaml", span: "GET /openapi.yaml" }],
  ["GET /openapi.json", { status: 200, headers: {"content-type": "application/json; charset=utf-8"}, body: "*", route: "/openapi.json", span: "GET /openapi.json" }],
  ["HEAD /openapi.json", { status: 200, headers: {"content-length": "76200", "content-type": "application/json; charset=utf-8"}, body: "e3b0c44298fc1c14", route: "/openapi.json", span: "HEAD /openapi.json" }],
  ["GET /.well-known/oauth-protected-resource", { status: 200, headers: {"content-length": "340", "content-type": "application/json; charset=utf-8"}, body: "2d03a4dc389fa130", route: "/.well-known/oauth-protected-resource", span: "GET /.well-known/oauth-protected-resource" }],
  ["GET /.well-known/oauth-protected-resource/", { status: 404, headers: {"content-length": "128", "content-type": "application/problem+json"}, body: "50b13bf00839e43d", route: "unmatched", span: "GET" }],
  ["GET /.well-known/oauth-authorization-server", { status: 200, headers: {"content-length": "515", "content-type": "application/json; charset=utf-8"}, body: "92466f95a8e8f326", route: "/.well-known/oauth-authorization-server", span: "getAuthorizationServerMetadata" }],
  ["GET /docs", { status: 200, headers: {"content-length": "451", "content-type": "text/html; charset=utf-8"}, body: "8d4c45ad47772c11", route: "/docs/", span: "GET /docs" }],
  ["GET /docs/", { status: 200, headers: {"content-length": "451", "content-type": "text/html; charset=utf-8"}, body: "8d4c45ad47772c11", route: "/docs/", span: "GET /docs/" }],
  ["HEAD /docs", { status: 200, headers: {"content-length": "451", "content-type": "text/html; charset=utf-8"}, body: "e3b0c44298fc1c14", route: "/docs/", span: "HEAD /docs" }],
  ["GET /docs/swagger-initializer.js", { status: 200, headers: {"content-length": "334", "content-type": "text/javascript; charset=utf-8"}, body: "2b882731f2b23a75", route: "/docs/swagger-initializer.js", span: "GET /docs/swagger-initializer.js" }],
  ["GET /docs/openapi.json", { status: 200, headers: {"content-type": "application/json; charset=utf-8"}, body: "*", route: "/docs/openapi.json", span: "GET /docs/openapi.json" }],
  ["GET /docs/swagger-ui.css", { status: 200, headers: {"cache-control": "public, max-age=86400", "content-type": "text/css; charset=utf-8"}, body: "*", route: "/docs/:file", span: "GET /docs/:file" }],
  ["GET /docs/swagger-ui-bundle.js", { status: 200, headers: {"cache-control": "public, max-age=86400", "content-type": "text/javascript; charset=utf-8"}, body: "*", route: "/docs/:file", span: "GET /docs/:file" }],
  ["GET /docs/swagger-ui-standalone-preset.js", { status: 200, headers: {"cache-control": "public, max-age=86400", "content-type": "text/javascript; charset=utf-8"}, body: "*", route: "/docs/:file", span: "GET /docs/:file" }],
  ["GET /docs/oauth2-redirect.html", { status: 200, headers: {"cache-control": "public, max-age=86400", "content-type": "text/html; charset=utf-8"}, body: "*", route: "/docs/:file", span: "GET /docs/:file" }],
  ["GET /docs/oauth2-redirect.js", { status: 200, headers: {"cache-control": "public, max-age=86400", "content-type": "text/javascript; charset=utf-8"}, body: "*", route: "/docs/:file", span: "GET /docs/:file" }],
  ["GET /docs/favicon-32x32.png", { status: 200, headers: {"cache-control": "public, max-age=86400", "content-type": "image/png"}, body: "*", route: "/docs/:file", span: "GET /docs/:file" }],
  ["HEAD /docs/favicon-32x32.png", { status: 200, headers: {"cache-control": "public, max-age=86400", "content-length": "628", "content-type": "image/png"}, body: "e3b0c44298fc1c14", route: "/docs/:file", span: "HEAD /docs/:file" }],
  ["GET /docs/unknown.js", { status: 404, headers: {"content-length": "106", "content-type": "application/problem+json"}, body: "9a65760d030ccf4b", route: "/docs/:file", span: "GET /docs/:file" }],
  ["POST /docs/swagger-ui.css", { status: 405, headers: {"allow": "HEAD, GET", "content-length": "139", "content-type": "application/problem+json"}, body: "da5158fe6d0aa04c", route: "unmatched", span: "POST" }],
  ["GET /docs/swagger-ui.css/", { status: 404, headers: {"content-length": "111", "content-type": "application/problem+json"}, body: "fa459efc8572bd1c", route: "unmatched", span: "GET" }],
];

describe('the meta operations on the wire', function () {
  this.timeout(120_000);
  let server: GatehouseUnderTest;
  let receiver: OtlpReceiver;
  const seen = new Map<string, Seen>();

  before(async () => {
    receiver = await processOtlpReceiver();
    server = await startTestGatehouse({ database: 'embedded', auth: 'embedded', env: { PUBLIC_URL, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.url } });
    const traces = new Map<string, string>();
    let before = await counts();
    for (const [request] of EXPECTED) {
      const [method, path] = request.split(' ') as [string, string];
      const traceId = randomBytes(16).toString('hex');
      traces.set(traceId, request);
      const res = await fetch(`${server.url}${path}`, { method, redirect: 'manual', headers: { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` } });
      const bytes = Buffer.from(await res.arrayBuffer());
      const headers: Record<string, string> = {};
      res.headers.forEach((value, name) => { if (!['date', 'x-request-id', 'connection', 'keep-alive'].includes(name)) headers[name] = value; });
      const after = await counts();
      seen.set(request, { status: res.status, headers, body: createHash('sha256').update(bytes).digest('hex').slice(0, 16), route: labelCounted(before, after), span: '' });
      before = after;
    }
    await server.close(); // flushes the spans
    for (const span of receiver.spans().filter((s) => traces.has(s.traceId) && s.kind === 2)) seen.get(traces.get(span.traceId)!)!.span = span.name;
    if (process.env.META_WIRE_PRINT) console.log(JSON.stringify(Object.fromEntries(seen), null, 1));
  });

  /** Request counts by label; a scrape is counted once it is answered, so by the next one. */
  async function counts(): Promise<Map<string, number>> {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    return new Map([...text.matchAll(/gatehouse_http_request_duration_seconds_count\{route="([^"]*)",method="(\w+)",status="(\d+)"\} (\d+)/g)]
      .map((m) => [`${m[2]} ${m[1]} ${m[3]}`, Number(m[4])]));
  }

  for (const [request, expected] of EXPECTED) {
    it(`${request}: ${expected.status}, the same headers, body, metrics label and span name`, () => {
      const answer = seen.get(request)!;
      const headers = Object.fromEntries(Object.entries(answer.headers).filter(([name, value]) => EVERY_ANSWER[name as keyof typeof EVERY_ANSWER] !== value));
      if (expected.body === '*') delete headers['content-length'];
      expect({ ...answer, headers, body: expected.body === '*' ? '*' : answer.body }).to.deep.equal(expected);
      for (const [name, value] of Object.entries(EVERY_ANSWER)) expect(answer.headers[name], name).to.equal(value);
    });
  }
});

/** The route label one request was counted under, between two scrapes (less the first scrape itself). */
function labelCounted(before: Map<string, number>, after: Map<string, number>): string {
  const grown = [...after].flatMap(([key, n]) => Array(n - (before.get(key) ?? 0) - (key === 'GET /metrics 200' ? 1 : 0)).fill(key));
  return grown.map((key: string) => key.split(' ')[1]).join(' ');
}
