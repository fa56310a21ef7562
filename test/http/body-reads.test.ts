import { once } from 'node:events';
import net from 'node:net';
import { expect } from 'chai';
import { ApiClient } from '../support/api-client.js';
import { requireService } from '../support/availability.js';
import { startTestGatehouse, type GatehouseUnderTest } from '../support/gatehouse.js';
import { fromAddress } from '../support/loopback-client.js';
import { postgresAvailable } from '../support/postgres.js';

const IDLE_MS = 1_500;

/**
 * Slow uploads hold memory: bodies being read at once are capped per client address and in all
 * (here 2 and 3 instead of 16 and 128), a request past a cap is answered 503 before its body is
 * read, and a body that goes quiet is dropped at the idle timeout (here 1.5 s instead of 10).
 */
describe('request bodies read at once (machine PostgreSQL, embedded auth server)', function () {
  this.timeout(60_000);
  let server: GatehouseUnderTest;
  let token: string;
  let port: number;

  before(async function () {
    requireService(this, await postgresAvailable(), 'PostgreSQL on 127.0.0.1:5432');
    server = await startTestGatehouse({
      database: 'postgres', auth: 'embedded',
      env: { BODY_READS_MAX: '3', BODY_READS_PER_ADDRESS: '2', BODY_IDLE_TIMEOUT_MS: String(IDLE_MS), LOG_LEVEL: 'info' },
    });
    port = Number(new URL(server.url).port);
    ({ token } = await new ApiClient(server.url).newUser('uploader'));
  });
  after(async () => { await server?.close(); });

  /** A POST /items/ from `localAddress` that declares 1,000 bytes and sends `sent` of them, then stalls; `answer` is all it was sent back. */
  async function upload(localAddress: string, sent: string) {
    const socket = net.connect({ port, host: '127.0.0.1', localAddress });
    await once(socket, 'connect');
    let text = '';
    socket.on('data', (d) => { text += d; });
    const closed = once(socket, 'close').then(() => text);
    socket.write(`POST /items/ HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n${sent}`);
    return { socket, closed, answer: () => text };
  }
  const settle = (ms = 400) => new Promise((r) => setTimeout(r, ms));
  const createItem = (from: string) => fromAddress(from).post(`${server.url}/items/`,
    { name: `bystander-${Math.random().toString(36).slice(2)}`, description: 'small', price: '1' }, { Authorization: `Bearer ${token}` });

  it('answers 503 + Retry-After before reading the body past the per-address cap, while another address still posts', async () => {
    const stalled = [await upload('127.0.0.10', '{"name":'), await upload('127.0.0.10', '{"name":')];
    await settle();
    const third = await upload('127.0.0.10', ''); // headers only: refused before it sends a byte of body
    const refused = await third.closed;
    expect(refused).to.match(/^HTTP\/1\.1 503 /);
    expect(refused).to.match(/\r\nRetry-After: 5\r\n/i);
    expect(refused).to.match(/\r\nContent-Type: application\/problem\+json/i);
    expect(refused).to.include('"type":"/problems/body_reads_busy"');
    expect(refused).to.include('BODY_READS_PER_ADDRESS');
    const bystander = await createItem('127.0.0.2');
    expect(bystander.status).to.equal(201);
    for (const s of stalled) s.socket.destroy();
    await settle();
  });

  it('answers 503 past the total cap, and drops a body that sent nothing for the idle timeout with a logged 408, which frees its place', async () => {
    const started = performance.now();
    const stalled = [await upload('127.0.0.10', '{"name":'), await upload('127.0.0.10', '{"na'), await upload('127.0.0.11', '{')];
    await settle();
    const refused = await createItem('127.0.0.12');
    expect(refused.status).to.equal(503);
    expect(refused.headers['retry-after']).to.equal('5');
    expect(refused.body.detail).to.include('BODY_READS_MAX');
    const answers = await Promise.all(stalled.map((s) => s.closed));
    const droppedAfter = performance.now() - started;
    for (const answer of answers) {
      expect(answer).to.match(/^HTTP\/1\.1 408 /);
      expect(answer).to.include('the request body sent nothing for 1.5 s');
    }
    expect(droppedAfter).to.be.within(IDLE_MS, IDLE_MS + 3_000);
    expect((await createItem('127.0.0.12')).status).to.equal(201);
    await settle(100);
    const logged = server.logs.map((l) => JSON.parse(l)).filter((l) => l.msg === 'request' && l.path === '/items/');
    expect(logged.filter((l) => l.status === 408)).to.have.length(3);
    expect(server.logs.some((l) => l.includes('request bodies refused'))).to.equal(true);
  });
});
