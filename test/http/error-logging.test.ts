import { expect } from 'chai';
import Koa from 'koa';
import { pino } from 'pino';
import { renderErrors } from '../../src/adapters/http/answers/render-errors.js';
import { HttpProblem } from '../../src/adapters/http/answers/http-problem.js';
import { AuthServerUnavailable, DatabaseUnavailable, NotSupported, PasswordCheckBusy } from '../../src/domain/errors.js';
import { ApiClient } from '../support/api-client.js';
import { startTestGatehouse, type GatehouseUnderTest } from '../support/gatehouse.js';

type Line = { level: number; msg: string; status?: number; method?: string; path?: string; requestId?: string };

/** The lines renderErrors writes for one thrown error, through a one-middleware Koa app. */
async function linesFor(err: Error): Promise<Line[]> {
  const lines: Line[] = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => { lines.push(JSON.parse(line)); } });
  const app = new Koa();
  app.use(async (ctx, next) => { ctx.state = { log }; await next(); });
  app.use(renderErrors({ baseUrl: 'http://127.0.0.1', dpop: { algorithms: ['ES256'], bearerAllowed: true } }) as Koa.Middleware);
  app.use(() => { throw err; });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((ready) => server.once('listening', ready));
  try {
    await fetch(`http://127.0.0.1:${(server.address() as { port: number }).port}/`);
  } finally {
    server.close();
  }
  return lines;
}

describe('how errors are logged, by who caused them', function () {
  this.timeout(60_000);
  let server: GatehouseUnderTest;

  before(async () => { server = await startTestGatehouse({ database: 'embedded', auth: 'embedded' }); });
  after(async () => { await server?.close(); });

  it('logs an unknown method (PROPFIND /healthz, 501) as the client error it is: the request line at info, no warning', async () => {
    const res = await new ApiClient(server.url).request('PROPFIND', '/healthz');
    expect(res.status).to.equal(501);
    const id = res.headers.get('x-request-id');
    const lines = server.logs.map((l) => JSON.parse(l) as Line).filter((l) => l.requestId === id);
    expect(lines.map((l) => [l.level, l.msg])).to.deep.equal([[30, 'request']]);
    expect(lines[0]).to.include({ method: 'PROPFIND', path: '/healthz', status: 501 });
    expect(server.logs.join('\n')).not.to.include('dependency failure');
  });

  it('warns "dependency failure" only when a dependency failed; an unoffered operation is not one, busy password checks are load', async () => {
    for (const err of [new AuthServerUnavailable(), new DatabaseUnavailable()]) {
      expect((await linesFor(err)).map((l) => [l.level, l.msg]), err.name).to.deep.equal([[40, 'dependency failure']]);
    }
    expect(await linesFor(new HttpProblem('not_implemented', 'PROPFIND is not supported'))).to.deep.equal([]);
    expect(await linesFor(new NotSupported('this authorization server does not offer sign-up'))).to.deep.equal([]);
    expect((await linesFor(new PasswordCheckBusy())).map((l) => [l.level, l.msg])).to.deep.equal([[40, 'server busy']]);
  });
});
