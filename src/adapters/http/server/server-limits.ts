import http from 'node:http';
import type { Socket } from 'node:net';
import { HTTP_PROBLEMS, type HttpProblemCode } from '../answers/http-problem.js';

/**
 * Limits against slow clients: a client that dribbles its headers or body, or holds a connection
 * open doing nothing, must not pin a socket forever (slowloris).
 */
export interface ServerLimits {
  /** The whole header block must arrive within this. */
  headersTimeoutMs: number;
  /** The whole request, body included, must arrive within this. */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
  /** How often Node checks the two timeouts above; its default of 30 s would let them slip by that much. */
  checkIntervalMs: number;
}

export const SERVER_LIMITS: ServerLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  checkIntervalMs: 1_000,
};

export function createLimitedServer(handler: http.RequestListener, limits: ServerLimits = SERVER_LIMITS): http.Server {
  const server = http.createServer({
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    connectionsCheckingInterval: limits.checkIntervalMs,
    maxHeaderSize: MAX_HEADER_KIB * 1024,
  }, handler);
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.on('clientError', (err: Error & { code?: string }, socket) => answerClientError(err, socket as Socket));
  return server;
}

const MAX_HEADER_KIB = 16;

/** Connections answered here, by status: a request the app was still reading (a stalled body) is logged with what was sent. */
const ANSWERED = new WeakMap<Socket, number>();

/**
 * What the client was really answered: the status written here when the parser gave up on the
 * connection (a 408 for a body that stalled), else the app's own. Without it the app, whose body
 * read then fails as "aborted", would log and count a 400 that was never sent.
 */
export function sentStatus(socket: Socket, appStatus: number): number {
  return ANSWERED.get(socket) ?? appStatus;
}

/** What Node's HTTP parser refuses before Gatehouse sees a request, as the problem it is. */
const CLIENT_ERRORS: Record<string, [code: HttpProblemCode, detail: string]> = {
  HPE_HEADER_OVERFLOW: ['headers_too_large', `the request line and headers together must stay under ${MAX_HEADER_KIB} KiB`],
  ERR_HTTP_REQUEST_TIMEOUT: ['request_timeout', 'the request did not arrive in time'],
};
const MALFORMED: (typeof CLIENT_ERRORS)[string] = ['malformed_request', 'the request is not valid HTTP/1.1'];

/**
 * Node answers these with a bare status line and no body; the contract promises problem+json for
 * every error, so they get one too. Like Node's own handler, only on a connection that has not been
 * answered yet: a broken keep-alive connection after a response is simply closed.
 */
function answerClientError(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || !socket.writable || socket.bytesWritten) {
    socket.destroy();
    return;
  }
  answerAndClose(socket, CLIENT_ERRORS[err.code ?? ''] ?? MALFORMED, 5_000);
}

/**
 * A body the app is reading that sent nothing for `idleMs`: answered 408 like a request that timed
 * out, and its connection dropped soon after, so the body read fails and frees its memory and place.
 */
export function answerStalledBody(socket: Socket, idleMs: number): void {
  if (!socket.writable || socket.bytesWritten) { socket.destroy(); return; }
  answerAndClose(socket, ['request_timeout', `the request body sent nothing for ${idleMs / 1000} s`], 1_000);
}

function answerAndClose(socket: Socket, [code, detail]: (typeof CLIENT_ERRORS)[string], graceMs: number): void {
  const { status, title } = HTTP_PROBLEMS[code];
  ANSWERED.set(socket, status);
  const body = JSON.stringify({ type: `/problems/${code}`, title, status, detail });
  // Half-closed, so the client reads the answer before the close (a reset could discard it); a
  // client that never closes its side loses the socket after `graceMs` all the same.
  socket.setTimeout(graceMs, () => socket.destroy());
  socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: application/problem+json\r\n`
    + `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}
