import type { ServerResponse } from 'node:http';
import type { Ctx } from '../state.js';

const JSON_TYPE = 'application/json; charset=utf-8';
/** What Koa sends without a body (RFC 9110: 204, 205 and 304 have none). */
const EMPTY_STATUSES = new Set([204, 205, 304]);
const BODY_HEADERS = /^(content-type|content-length|transfer-encoding)$/i;

/**
 * Whether an answer is one `writeJson` sends exactly as Koa would: a JSON body (an object, not a
 * string, Buffer or stream) with a status that has a body, and no header of the body's own. The
 * rest (files, documents serialised beforehand, bodiless answers, errors) go through Koa.
 */
export function writesAsJson(status: number, body: unknown, headers: Record<string, string> | undefined): boolean {
  if (typeof body !== 'object' || body === null || Buffer.isBuffer(body) || typeof (body as { pipe?: unknown }).pipe === 'function') return false;
  if (EMPTY_STATUSES.has(status)) return false;
  if (headers) for (const name in headers) if (BODY_HEADERS.test(name)) return false;
  return true;
}

/**
 * A JSON answer written straight to Node: one `writeHead` with the whole header block (`head`,
 * name and value alternating, then the answer's own headers) and one `end`, and Koa told not to
 * respond (`ctx.respond = false`). What Koa's setters and `respond` did for the same answer cost a
 * GET about 25 µs of CPU in a `--perf` profile (each header through `setHeader`'s validation and
 * into its map, then that map rendered; the body's type worked out from its value): the bytes are
 * the same, as Koa wrote them (`Content-Type` with its charset, `Content-Length` of the UTF-8 bytes,
 * HEAD with both and no body). A connection already gone is ended, as Koa does.
 */
export function writeJson(ctx: Ctx, status: number, head: readonly string[], body: unknown, headers: Record<string, string> | undefined): void {
  const json = JSON.stringify(body);
  const block = [...head, 'Content-Type', JSON_TYPE, 'Content-Length', String(Buffer.byteLength(json))];
  if (headers) for (const name in headers) block.push(name, headers[name]!);
  ctx.respond = false;
  const res: ServerResponse = ctx.res;
  if (!ctx.writable) {
    res.statusCode = status; // what the log line and metrics read
    res.end();
    return;
  }
  res.writeHead(status, block);
  if (ctx.method === 'HEAD') res.end();
  else res.end(json);
}
