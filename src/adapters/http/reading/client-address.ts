import type { IncomingMessage } from 'node:http';

/**
 * The address a request came from, the one key every per-client limit uses (the address rate limit,
 * the fair share of password checks, the bodies read at once). With `trustedProxies` 0 it is the
 * socket's peer. With n ≥ 1 reverse proxies in front, each appending its peer to X-Forwarded-For,
 * it is the n-th entry from the right: the one the outermost trusted proxy wrote. Entries to its
 * left are the client's to invent, so they are never read. Too few entries (a request that skipped
 * a proxy) gives the leftmost; none gives the socket's peer. An IPv4 peer of a dual-stack socket
 * (`::ffff:192.0.2.1`) is written as plain IPv4, so both spellings are one client.
 */
export function clientAddress(req: IncomingMessage, trustedProxies: number): string {
  let address = req.socket.remoteAddress ?? '';
  const header = trustedProxies > 0 ? req.headers['x-forwarded-for'] : undefined;
  const forwarded = Array.isArray(header) ? header.join(',') : header;
  if (forwarded) {
    const entries = forwarded.split(',').map((entry) => entry.trim()).filter(Boolean);
    address = entries[Math.max(0, entries.length - trustedProxies)] ?? address;
  }
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}
