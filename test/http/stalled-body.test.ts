import { once } from 'node:events';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { pino } from 'pino';
import { createApp } from '../../src/adapters/http/app.js';
import { createMetrics } from '../../src/adapters/http/middleware/metrics.js';
import { loadOpenApiDocument } from '../../src/adapters/http/contract/openapi-document.js';
import { compileRequestValidators } from '../../src/adapters/http/contract/request-validator.js';
import { createLimitedServer } from '../../src/adapters/http/server/server-limits.js';
import { DPOP_ALGORITHMS, proofVerifier } from '../../src/adapters/http/dpop/proof.js';
import { FakeAuthServer } from '../fakes/fake-auth-server.js';
import { InMemoryProofReplayStore } from '../fakes/in-memory-proof-replay-store.js';
import { InMemoryIdempotencyStore } from '../fakes/in-memory-idempotency-store.js';
import { InMemoryRetirementChannel } from '../fakes/in-memory-retirement-channel.js';
import { InMemoryItemRepository } from '../fakes/in-memory-item-repository.js';
import { InMemoryUserRepository } from '../fakes/in-memory-user-repository.js';

/**
 * The real Koa app on a server whose request timeout is 1 s instead of 30, so a stalled body times
 * out within the test: the log line and the metrics must say 408, what the client was sent.
 */
describe('a request body that stalls', function () {
  this.timeout(20_000);

  it('is answered 408, and logged and counted as 408 (not as the 400 of the aborted body read)', async () => {
    const lines: Record<string, any>[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => { lines.push(JSON.parse(line)); } });
    const document = loadOpenApiDocument();
    const users = new InMemoryUserRepository();
    const metrics = createMetrics({ clusterWorker: false });
    const app = createApp({
      deps: { authServer: new FakeAuthServer(), users, items: new InMemoryItemRepository((id) => ({ id, email: 'x@example.com' })), idempotency: new InMemoryIdempotencyStore(), retirements: new InMemoryRetirementChannel() },
      validators: compileRequestValidators(document.json), logger, document, publicUrl: 'http://127.0.0.1', corsOrigins: [], docsEnabled: false,
      readiness: { database: async () => undefined, authServer: async () => undefined }, metrics,
      dpop: proofVerifier({ algorithms: DPOP_ALGORITHMS, iatWindowSeconds: 60, required: false }, new InMemoryProofReplayStore()),
    });
    const server = createLimitedServer(app.callback(), { headersTimeoutMs: 1_000, requestTimeoutMs: 1_000, keepAliveTimeoutMs: 1_000, checkIntervalMs: 100 });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const socket = net.connect((server.address() as AddressInfo).port, '127.0.0.1');
      socket.write('POST /users/signup/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"email":');
      let answer = '';
      socket.on('data', (d) => { answer += d; });
      await once(socket, 'close');
      expect(answer).to.match(/^HTTP\/1\.1 408 /);
      await new Promise((r) => setTimeout(r, 100)); // the app's own handling finishes after the socket closed
      const logged = lines.filter((l) => l.msg === 'request');
      expect(logged.map((l) => [l.path, l.status])).to.deep.equal([['/users/signup/', 408]]);
      expect(await metrics.registry.metrics()).to.match(/gatehouse_http_request_duration_seconds_count\{route="\/users\/signup\/",method="POST",status="408"\} 1/);
    } finally {
      server.close();
    }
  });
});
