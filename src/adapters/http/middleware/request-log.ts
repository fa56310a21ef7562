import { pino, type Logger } from 'pino';

/** What the one line each request logs says, in this order. */
export type RequestLine = (requestId: string, method: string, path: string, status: number, ms: number, userId: number | undefined) => void;

const INFO = 30;
const { asJsonSym, chindingsSym, hooksSym, lsCacheSym, mixinSym, needsMetadataGsym, streamSym, timeSym } = pino.symbols;
const { msgPrefixSym } = pino.symbols as unknown as Record<string, symbol>; // a child's msgPrefix; not in pino's types

/**
 * The request log line, `{…,"requestId":…,"method":…,"path":…,"status":…,"ms":…,"userId":…,"msg":"request"}`,
 * written as pino writes it but from a prepared prefix: pino walks the object, checks each key
 * for a serializer and each value's type, about 6 µs of a GET's CPU in a `--perf` profile, for a line
 * whose keys and types never change. The line is the logger's own (its level, time, bindings and
 * stream), and is checked at start-up against pino's rendering of the same values; a logger that
 * renders it differently (a mixin such as the tracing's trace ids, hooks, formatters, a message
 * prefix) gets every line through pino, as before.
 */
export function requestLine(logger: Logger): RequestLine {
  const viaPino: RequestLine = (requestId, method, path, status, ms, userId) => {
    logger.info({ requestId, method, path, status, ms, userId }, 'request');
  };
  const internals = logger as unknown as Record<symbol, any>;
  const stream = internals[streamSym];
  const hooks = internals[hooksSym] ?? {};
  if (internals[mixinSym] || hooks.logMethod || hooks.streamWrite || (msgPrefixSym && internals[msgPrefixSym]) || !stream || stream[needsMetadataGsym]) return viaPino;
  const level = internals[lsCacheSym]?.[INFO];
  if (typeof level !== 'string') return viaPino;
  const render = (time: string, requestId: string, method: string, path: string, status: number, ms: number, userId: number | undefined) =>
    `${level}${time}${internals[chindingsSym]},"requestId":"${requestId}","method":"${method}","path":${JSON.stringify(path)},"status":${status},"ms":${ms}${
      userId === undefined ? '' : `,"userId":${userId}`},"msg":"request"}\n`;
  if (!rendersAsPino(logger, render)) return viaPino;
  return (requestId, method, path, status, ms, userId) => {
    if (logger.levelVal > INFO) return;
    stream.write(render(internals[timeSym](), requestId, method, path, status, ms, userId));
  };
}

/** The prepared line and pino's own, for the same values (a path with quotes and a backslash, with and without a user). */
function rendersAsPino(logger: Logger, render: (time: string, ...line: Parameters<RequestLine>) => string): boolean {
  const internals = logger as unknown as Record<symbol, any>;
  const time = internals[timeSym]();
  const samples: Parameters<RequestLine>[] = [
    ['3f1c2a4e-0b5d-4c1e-9f00-0123456789ab', 'GET', '/items/"a\\b"/', 200, 1.2345, 42],
    ['given.id:1', 'DELETE', '/x', 404, 0.5, undefined],
  ];
  return samples.every(([requestId, method, path, status, ms, userId]) =>
    render(time, requestId, method, path, status, ms, userId)
      === internals[asJsonSym]({ requestId, method, path, status, ms, userId }, 'request', INFO, time));
}
