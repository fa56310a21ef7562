import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { ApiClient } from '../support/api-client.js';
import { requireService } from '../support/availability.js';
import { dotPeerAvailable } from '../support/dot-peer.js';
import { startTestGatehouse } from '../support/gatehouse.js';
import { processOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver.js';
import { postgresAvailable } from '../support/postgres.js';

const SERVER = 2; const CLIENT = 3; // OTLP span kinds

/** A caller's trace: the traceparent it sends, as a client already in a trace would. */
function callerTrace() {
  const traceId = randomBytes(16).toString('hex');
  const spanId = randomBytes(8).toString('hex');
  return { traceId, spanId, traceparent: `00-${traceId}-${spanId}-01` };
}

describe('OpenTelemetry tracing', function () {
  this.timeout(180_000);
  let receiver: OtlpReceiver;
  before(async function () {
    requireService(this, await postgresAvailable(), 'PostgreSQL on 127.0.0.1:5432');
    receiver = await processOtlpReceiver();
  });

  for (const auth of ['embedded', 'dot'] as const) {
    it(`${auth}: a sign-in, a list and a create each continue the caller's trace, with spans down to PostgreSQL${auth === 'dot' ? ' and DOT' : ''}, and nothing secret in them`, async function () {
      if (auth === 'dot') requireService(this, dotPeerAvailable(), 'the Django OAuth Toolkit peer');
      const server = await startTestGatehouse({ database: 'postgres', auth, env: { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.url } });
      const api = new ApiClient(server.url);
      let closed = false;
      try {
        const email = `traced-${randomBytes(4).toString('hex')}@example.com`;
        const password = 'correct horse battery staple';
        const signUp = await api.post('/users/signup/', { json: { email, password, password2: password } });
        expect(signUp.status).to.equal(201);
        const userId = String(signUp.body.id);
        const signIn = callerTrace();
        const tokenRes = await api.post('/users/token/', { json: { email, password }, headers: { traceparent: signIn.traceparent } });
        expect(tokenRes.status).to.equal(200);
        const { access_token: token, refresh_token: refresh } = tokenRes.body as { access_token: string; refresh_token: string };
        const list = callerTrace();
        const listRes = await api.get('/items/', { token, headers: { traceparent: list.traceparent } });
        expect(listRes.status).to.equal(200);
        const create = callerTrace();
        const createRes = await api.post('/items/', { token, json: { name: `traced-${create.spanId}`, description: '', price: '2' }, headers: { traceparent: create.traceparent } });
        expect(createRes.status).to.equal(201);
        await server.close(); // flushes the batched spans
        closed = true;

        const spans = receiver.spans();
        const traceOf = (t: { traceId: string }) => spans.filter((s) => s.traceId === t.traceId);
        const childrenOf = (parent: ReceivedSpan, all: ReceivedSpan[]) => all.filter((s) => s.parentSpanId === parent.spanId);
        const one = (all: ReceivedSpan[], name: string) => {
          const found = all.filter((s) => s.name === name);
          expect(found, `${name} in ${all.map((s) => s.name).join(', ')}`).to.have.length.greaterThan(0);
          return found[0]!;
        };
        const checkTree = (t: { traceId: string; spanId: string }, operationId: string, route: string, status: number) => {
          const all = traceOf(t);
          const root = one(all, operationId);
          expect(root.parentSpanId, 'the caller\'s span is the parent').to.equal(t.spanId);
          expect(root.kind).to.equal(SERVER);
          expect(root.attributes).to.include({ 'http.route': route, 'http.response.status_code': status, 'http.request.method': route === '/items/' && operationId === 'listItems' ? 'GET' : 'POST' });
          const ids = new Set(all.map((s) => s.spanId));
          for (const s of all) if (s !== root) expect(ids.has(s.parentSpanId!), `${s.name}'s parent is in the trace`).to.equal(true);
          return { all, root };
        };

        const signInTree = checkTree(signIn, 'getToken', '/users/token/', 200);
        const issue = one(childrenOf(signInTree.root, signInTree.all), 'auth.issue_token');
        if (auth === 'embedded') {
          expect(childrenOf(issue, signInTree.all).map((s) => s.name)).to.include.members(['password_check.wait']);
          const hash = one(signInTree.all, 'password_check.hash');
          expect(hash.parentSpanId).to.equal(issue.spanId);
        } else {
          const call = one(childrenOf(issue, signInTree.all), 'POST /o/token/');
          expect(call.kind).to.equal(CLIENT);
          expect(call.attributes).to.include({ 'http.request.method': 'POST', 'http.response.status_code': 200 });
        }

        const listTree = checkTree(list, 'listItems', '/items/', 200);
        expect(listTree.root.attributes['enduser.id']).to.equal(userId);
        const authenticate = one(childrenOf(listTree.root, listTree.all), 'authenticate');
        expect(authenticate.attributes).to.include({ 'gatehouse.introspection.cache': 'miss', 'gatehouse.token.active': true });
        if (auth === 'dot') expect(childrenOf(authenticate, listTree.all).map((s) => s.name)).to.include('POST /o/introspect/');
        const select = one(listTree.all, 'SELECT items');
        expect(select.kind).to.equal(CLIENT);
        expect(select.attributes).to.include({ 'db.system.name': 'postgresql', 'db.operation.name': 'SELECT', 'db.collection.name': 'items' });

        const createTree = checkTree(create, 'createItem', '/items/', 201);
        expect(createTree.root.attributes['enduser.id']).to.equal(userId);
        expect(one(createTree.all, 'authenticate').attributes['gatehouse.introspection.cache']).to.equal('hit');
        one(createTree.all, 'INSERT items');

        for (const payload of receiver.payloads) {
          for (const secret of [token, refresh, password, email]) expect(payload.includes(secret), 'a secret in a span').to.equal(false);
        }

        // Every log line of a traced request names its trace and span.
        const lines = server.logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'request');
        const listLine = lines.find((l) => l.trace_id === list.traceId);
        expect(listLine, 'the list request\'s log line').to.not.equal(undefined);
        expect(listLine!.span_id).to.equal(listTree.root.spanId);

        if (auth === 'dot') {
          // DOT's access log: the calls Gatehouse made for these requests carried their traces.
          const log = readFileSync(server.dot!.accessLogFile!, 'utf8').split('\n');
          expect(log.some((l) => l.includes('"POST /o/token/') && l.includes(`traceparent=00-${signIn.traceId}-`))).to.equal(true);
          expect(log.some((l) => l.includes('"POST /o/introspect/') && l.includes(`traceparent=00-${list.traceId}-`))).to.equal(true);
        }
      } finally {
        if (!closed) await server.close();
      }
    });
  }

  it('with tracing unset, loads no OpenTelemetry SDK module (only the API the adapters name), and loads it when set', async function () {
    const run = async (env: Record<string, string>) => {
      const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'test/support/opentelemetry-loaded.ts'], {
        env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/tmp', ...env }, timeout: 120_000,
      });
      return JSON.parse(stdout.trim().split('\n').at(-1)!) as string[];
    };
    expect(await run({})).to.deep.equal(['@opentelemetry/api']);
    expect(await run({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.url })).to.include.members(['@opentelemetry/sdk-trace-base', '@opentelemetry/exporter-trace-otlp-http']);
  });
});
