import { expect } from 'chai';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import nodeFetch from 'node-fetch';
import { Deadline } from '../../src/adapters/auth/deadline.js';
import { HttpClient } from '../../src/adapters/auth/http-client.js';
import { AuthServerUnavailable } from '../../src/domain/errors.js';
import { rejectionOf } from '../support/rejection.js';

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

describe('HttpClient: time limits and kept connections, with node-fetch against node:http', () => {
  let server: Server;
  let answer: (req: IncomingMessage, res: ServerResponse) => void;
  const connections: Socket[] = [];
  before((done) => {
    server = createServer((req, res) => answer(req, res));
    server.keepAliveTimeout = 30_000; // the server keeps a connection far longer than the client: the client closes first
    server.on('connection', (socket) => connections.push(socket));
    server.listen(0, '127.0.0.1', done);
  });
  after((done) => { server.closeAllConnections(); server.close(() => done()); });
  beforeEach(() => { connections.length = 0; });
  const client = (timeoutMs = 1000) => new HttpClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, timeoutMs, nodeFetch);
  const json = (res: ServerResponse) => res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"ok":true}');

  it('gives up at the time limit with "no answer within", whether the headers or the body are late', async () => {
    answer = () => {}; // never answers
    const started = performance.now();
    const err = await rejectionOf(client(200).send({ method: 'GET', path: '/slow' }));
    expect(err).to.be.instanceOf(AuthServerUnavailable);
    expect(err.message).to.equal('the authorization server is unavailable: no answer within 200 ms');
    expect(performance.now() - started).to.be.within(190, 1000);

    answer = (_req, res) => { res.writeHead(200, { 'Content-Type': 'application/json' }); res.write('{"ok":'); }; // body never ends
    expect((await rejectionOf(client(200).send({ method: 'GET', path: '/stalled' }))).message).to.match(/no answer within 200 ms/);
  });

  it('reuses one connection for calls in a row, and a call outlasting the idle limit (1 s) still gets its answer', async () => {
    answer = (_req, res) => json(res);
    const http = client(5000);
    for (let i = 0; i < 5; i++) expect((await http.send({ method: 'POST', path: '/o/token/', form: new URLSearchParams({ i: String(i) }) })).status).to.equal(200);
    expect(connections).to.have.length(1);
    answer = (_req, res) => { setTimeout(() => json(res), 1500); };
    expect((await http.send({ method: 'GET', path: '/slow' })).text).to.equal('{"ok":true}');
  });

  it('closes a connection unused for 1 s itself, so it never sends on one the server is closing', async () => {
    answer = (_req, res) => json(res);
    const http = client();
    await http.send({ method: 'GET', path: '/first' });
    const [socket] = connections;
    const closed = new Promise((done) => socket!.once('close', done));
    await Promise.race([closed, sleep(2500).then(() => { throw new Error('the client kept an idle connection over 2.5 s'); })]);
    await http.send({ method: 'GET', path: '/second' });
    expect(connections).to.have.length(2);
  });
});

describe('Deadline', () => {
  it('fires its one listener when the time runs out, and reads aborted from then on', async () => {
    const deadline = new Deadline(30);
    let fired = 0;
    deadline.addEventListener('abort', () => fired++);
    expect(deadline.aborted).to.equal(false);
    await sleep(80);
    expect([deadline.aborted, fired]).to.deep.equal([true, 1]);
  });

  it('once cleared, never fires and never reads aborted', async () => {
    const deadline = new Deadline(30);
    let fired = 0;
    deadline.addEventListener('abort', () => fired++);
    deadline.clear();
    await sleep(80);
    expect([deadline.aborted, fired]).to.deep.equal([false, 0]);
  });

  it('is an AbortSignal to node-fetch: an answer that is late is aborted by it', async () => {
    const server = createServer(() => {}).listen(0, '127.0.0.1');
    await new Promise((done) => server.once('listening', done));
    const deadline = new Deadline(100);
    try {
      const err = await rejectionOf(nodeFetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, { signal: deadline as unknown as AbortSignal }));
      expect(err.name).to.equal('AbortError');
    } finally {
      deadline.clear();
      server.closeAllConnections();
      server.close();
    }
  });
});
