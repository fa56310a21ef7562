import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An OTLP/HTTP traces endpoint that reads and drops what it is sent, counting bytes: what a
 * collector costs Gatehouse is the export, not the collector's work, and a bench run sends far too
 * many spans to keep (test/support/otlp-receiver.ts keeps them, for the tracing tests).
 */
export async function startOtlpSink(): Promise<{ url: string; bytes(): number; close(): Promise<void> }> {
  let bytes = 0;
  const server = createServer((req, res) => {
    req.on('data', (chunk: Buffer) => { bytes += chunk.length; });
    req.on('end', () => res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}'));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/v1/traces`, bytes: () => bytes, close: () => new Promise((done) => server.close(() => done())) };
}
