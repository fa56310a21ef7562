import { createServer } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';

/** One span as OTLP/JSON sends it, attributes flattened to plain values. */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: Record<string, string | number | boolean>;
}

export interface OtlpReceiver {
  /** The traces URL, for OTEL_EXPORTER_OTLP_TRACES_ENDPOINT. */
  url: string;
  /** Every request body received, as sent: for looking for secrets anywhere in them. */
  payloads: string[];
  spans(): ReceivedSpan[];
  close(): Promise<void>;
}

/** A collector's OTLP/HTTP traces endpoint in this process: accepts JSON at POST /v1/traces. */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const payloads: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const ok = req.method === 'POST' && req.url === '/v1/traces' && /json/.test(req.headers['content-type'] ?? '');
      if (ok) payloads.push(Buffer.concat(chunks).toString('utf8'));
      res.writeHead(ok ? 200 : 415, { 'Content-Type': 'application/json' }).end(ok ? '{}' : '{"error":"JSON at POST /v1/traces only"}');
    });
  }).listen(0, '127.0.0.1');
  server.unref();
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1/traces`,
    payloads,
    spans: () => payloads.flatMap((p) => JSON.parse(p).resourceSpans.flatMap((r: any) => r.scopeSpans.flatMap((s: any) => s.spans.map(flatten)))),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function flatten(span: any): ReceivedSpan {
  const attributes: ReceivedSpan['attributes'] = {};
  for (const { key, value } of span.attributes ?? []) {
    attributes[key] = value.stringValue ?? value.boolValue ?? (value.intValue !== undefined ? Number(value.intValue) : value.doubleValue);
  }
  return { traceId: span.traceId, spanId: span.spanId, ...(span.parentSpanId ? { parentSpanId: span.parentSpanId } : {}), name: span.name, kind: span.kind, attributes };
}

let shared: Promise<OtlpReceiver> | undefined;

/**
 * The one receiver of this test process. Gatehouse registers the tracing SDK once per process (a
 * global tracer provider cannot be replaced), so every traced server a suite starts in this process
 * exports to the endpoint the first one named: suites read from this receiver and pick their own
 * spans by trace id. It lives as long as the process (its socket does not keep it alive).
 */
export function processOtlpReceiver(): Promise<OtlpReceiver> {
  return shared ??= startOtlpReceiver();
}
