import type { Server } from 'node:http';

/** How long a shutdown waits for in-flight requests: longer than any request should take. */
const GRACE_MS = 10_000;

/**
 * Stops accepting, lets every accepted request finish (Node closes idle keep-alive connections
 * itself), and cuts whatever still hangs after the grace period so a stuck client cannot hold
 * the shutdown forever.
 */
export function closeGracefully(server: Server, graceMs = GRACE_MS): Promise<void> {
  return new Promise<void>((resolve) => {
    const cutOff = setTimeout(() => server.closeAllConnections(), graceMs);
    server.close(() => {
      clearTimeout(cutOff);
      resolve();
    });
  });
}
