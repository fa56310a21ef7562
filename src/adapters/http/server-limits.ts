import http from 'node:http';

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
    maxHeaderSize: 16 * 1024,
  }, handler);
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  return server;
}
