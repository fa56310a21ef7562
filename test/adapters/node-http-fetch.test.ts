import { expect } from 'chai';
import { Agent, createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { CallTimedOut, nodeHttpFetch, type FetchInit } from '../../src/adapters/auth/node-http-fetch.js';

describe('nodeHttpFetch: the authorization server adapters\' HTTP (auth/node-http-fetch.ts)', () => {
  let server: Server;
  let base: string;
  let handle: (req: IncomingMessage, body: string, res: ServerResponse) => void;
  const sockets = new Set<Socket>();
  let connections = 0;
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  const init = (over: Partial<FetchInit> = {}): FetchInit => ({ method: 'GET', headers: {}, timeoutMs: 2000, redirect: 'manual', agent: () => agent, ...over });

  before((done) => {
    server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8').on('data', (chunk: string) => { body += chunk; }).on('end', () => handle(req, body, res));
    });
    server.on('connection', (socket) => { connections++; sockets.add(socket); socket.on('close', () => sockets.delete(socket)); });
    server.listen(0, '127.0.0.1', () => { base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`; done(); });
  });
  after((done) => { agent.destroy(); for (const s of sockets) s.destroy(); server.close(() => done()); });

  it('sends the method, headers and body as given, and gives back the status, headers and body as sent', async () => {
    handle = (req, body, res) => {
      res.writeHead(201, { 'Content-Type': 'application/json; charset=utf-8', 'X-Seen': `${req.method} ${req.headers['content-type']} ${req.headers['content-length']}` });
      res.end(JSON.stringify({ body }));
    };
    const sent = 'name=Zoë&city=Zürich';
    const res = await nodeHttpFetch(`${base}/o/token/`, init({ method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: sent }));
    expect(res.status).to.equal(201);
    expect(res.headers.get('Content-Type')).to.equal('application/json; charset=utf-8');
    expect(res.headers.get('x-seen')).to.equal(`POST application/x-www-form-urlencoded ${Buffer.byteLength(sent)}`);
    expect(res.headers.get('x-absent')).to.equal(null);
    expect(JSON.parse(await res.text())).to.deep.equal({ body: sent });
  });

  it('follows no redirect', async () => {
    handle = (_req, _body, res) => { res.writeHead(302, { Location: '/elsewhere' }); res.end(); };
    const res = await nodeHttpFetch(`${base}/o/token/`, init());
    expect(res.status).to.equal(302);
    expect(res.headers.get('location')).to.equal('/elsewhere');
  });

  it('reuses the agent\'s kept-alive connection for the next call', async () => {
    handle = (_req, _body, res) => { res.end('ok'); };
    await nodeHttpFetch(`${base}/a`, init());
    const before = connections;
    for (let i = 0; i < 5; i++) expect(await (await nodeHttpFetch(`${base}/a`, init())).text()).to.equal('ok');
    expect(connections).to.equal(before);
  });

  it('fails with CallTimedOut when the body stalls past timeoutMs, and the connection is closed', async () => {
    let stalled: ServerResponse | undefined;
    handle = (_req, _body, res) => { stalled = res; res.writeHead(200, { 'Content-Length': '100' }); res.write('{"partial":'); };
    const started = Date.now();
    const err = await nodeHttpFetch(`${base}/slow`, init({ timeoutMs: 300, agent: () => new Agent() })).then(() => undefined, (e: unknown) => e);
    expect(err).to.be.instanceOf(CallTimedOut);
    expect((err as CallTimedOut).message).to.equal('no answer within 300 ms');
    expect(Date.now() - started).to.be.within(280, 300 + 700);
    await new Promise<void>((done) => { if (stalled!.socket?.destroyed ?? true) done(); else stalled!.socket!.once('close', () => done()); });
  });

  it('fails, rather than waiting for the time limit, when the connection closes before the body ends', async () => {
    handle = (_req, _body, res) => { res.writeHead(200, { 'Content-Length': '100' }); res.write('{"partial":'); setTimeout(() => res.socket?.destroy(), 20); };
    const started = Date.now();
    const err = await nodeHttpFetch(`${base}/cut`, init({ timeoutMs: 5000 })).then(() => undefined, (e: unknown) => e);
    expect(err).to.be.instanceOf(Error).and.not.to.be.instanceOf(CallTimedOut);
    expect(Date.now() - started).to.be.lessThan(2000);
  });

  it('fails with the network error\'s code when nothing listens', async () => {
    const closed = createServer();
    await new Promise<void>((done) => closed.listen(0, '127.0.0.1', done));
    const { port } = closed.address() as AddressInfo;
    await new Promise((done) => closed.close(done));
    const err = await nodeHttpFetch(`http://127.0.0.1:${port}/`, init({ agent: () => new Agent() })).then(() => undefined, (e: unknown) => e);
    expect((err as { code?: string }).code).to.equal('ECONNREFUSED');
  });
});
