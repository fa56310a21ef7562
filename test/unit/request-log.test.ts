import { expect } from 'chai';
import { pino, type Logger } from 'pino';
import { requestLine } from '../../src/adapters/http/middleware/request-log.js';
import { withTraceIds } from '../../src/adapters/tracing/log-trace-ids.js';

/** A logger like the server's (redaction included) writing into `lines`, at a fixed time so two lines can be compared byte for byte. */
function capture(lines: string[], options: { formatters?: { log: (o: Record<string, unknown>) => Record<string, unknown> } } = {}): Logger {
  return pino({ level: 'info', redact: ['req.headers.authorization'], timestamp: () => ',"time":1700000000000', ...options }, { write: (line: string) => { lines.push(line); } });
}

describe('the request log line (a prepared prefix)', () => {
  const requests: Parameters<ReturnType<typeof requestLine>>[] = [
    ['3f1c2a4e-0b5d-4c1e-9f00-0123456789ab', 'GET', '/items/', 200, 1.234567, 7],
    ['given-id', 'POST', '/items/"quoted"\\and\\slashes/', 401, 0.25, undefined],
    ['id', 'HEAD', '/caf%C3%A9/\u00e9\t', 404, 12, 123456789],
  ];

  it('is byte for byte the line pino writes for the same fields', () => {
    const prepared: string[] = [];
    const viaPino: string[] = [];
    const prepares = capture(prepared);
    const write = requestLine(prepares);
    prepares.info = () => { throw new Error('the prepared line went through pino'); };
    const logger = capture(viaPino);
    for (const [requestId, method, path, status, ms, userId] of requests) {
      write(requestId, method, path, status, ms, userId);
      logger.info({ requestId, method, path, status, ms, userId }, 'request');
    }
    expect(prepared).to.deep.equal(viaPino);
    expect(JSON.parse(prepared[1]!)).to.include({ path: '/items/"quoted"\\and\\slashes/', status: 401, msg: 'request' });
  });

  it("carries a child's bindings after pid and hostname, as pino does", () => {
    const prepared: string[] = [];
    const viaPino: string[] = [];
    requestLine(capture(prepared).child({ worker: 2 }))('a', 'GET', '/', 200, 1, 1);
    capture(viaPino).child({ worker: 2 }).info({ requestId: 'a', method: 'GET', path: '/', status: 200, ms: 1, userId: 1 }, 'request');
    expect(prepared).to.deep.equal(viaPino);
  });

  it('writes nothing when the level is above info, and again once it is lowered', () => {
    const lines: string[] = [];
    const logger = capture(lines);
    const write = requestLine(logger);
    logger.level = 'warn';
    write('a', 'GET', '/', 200, 1, undefined);
    expect(lines).to.deep.equal([]);
    logger.level = 'debug';
    write('a', 'GET', '/', 200, 1, undefined);
    expect(lines).to.have.length(1);
  });

  it("goes through pino for a logger that renders lines its own way: the tracing's trace ids, a formatter", () => {
    const traced: string[] = [];
    requestLine(withTraceIds(capture(traced)))('a', 'GET', '/', 200, 1, undefined);
    expect(JSON.parse(traced[0]!)).to.include({ requestId: 'a', msg: 'request' }); // written (outside a span: no ids)
    const formatted: string[] = [];
    requestLine(capture(formatted, { formatters: { log: (o) => ({ ...o, extra: true }) } }))('a', 'GET', '/', 200, 1, undefined);
    expect(JSON.parse(formatted[0]!)).to.include({ requestId: 'a', extra: true });
  });
});
