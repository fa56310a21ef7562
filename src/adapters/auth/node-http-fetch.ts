import { request as httpRequest, type Agent, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** What a call to the authorization server needs: a whole body as text, no redirect followed, a time limit. */
export interface FetchInit {
  method: string;
  headers: Record<string, string>;
  body?: string | undefined;
  /** The most the call may take, connecting and reading the body included: then it fails with CallTimedOut. */
  timeoutMs: number;
  agent: (url: URL) => Agent;
  /** For a fetch that forwards to node-fetch or the WHATWG one (tests do): never follow a redirect. */
  redirect: 'manual';
}

/** The part of a WHATWG Response the adapters read, so a test may answer with one. */
export interface FetchAnswer {
  status: number;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
}

export type Fetch = (url: string, init: FetchInit) => Promise<FetchAnswer>;

export class CallTimedOut extends Error {
  override name = 'CallTimedOut';
  constructor(readonly timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
  }
}

/**
 * The authorization server adapters' HTTP: one `node:http` request, its body collected, bounded by
 * one timer. It replaced node-fetch with `AbortSignal.timeout`, whose WHATWG machinery (Headers,
 * streams, an AbortSignal with its event target, a DOMException per signal) was about 300 µs of the
 * 3,800 µs of CPU a proxied token request cost in a profile on a loaded 2-core machine
 * (`npm run bench -- --only users/token --perf DIR`, perf-top.mjs --by-file: node-fetch's files,
 * abort_controller, domexception, event_target). test/adapters/node-http-fetch.test.ts holds what
 * it must do: the status, headers and body as sent, no redirect followed, the time limit over a
 * body that stalls, a cut connection, the agent's pooled connection reused.
 */
export function nodeHttpFetch(url: string, { method, headers, body, timeoutMs, agent }: FetchInit): Promise<FetchAnswer> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const sent = body === undefined ? headers : { ...headers, 'Content-Length': String(Buffer.byteLength(body)) };
    let settled = false;
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      reject(err);
    };
    const req = send(target, { method, headers: sent, agent: agent(target) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', fail);
      res.on('end', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: headersOf(res.headers), text: () => Promise.resolve(text) });
      });
      res.on('close', () => { if (!res.complete) fail(Object.assign(new Error('the connection closed before the body ended'), { code: 'ECONNRESET' })); });
    });
    const timer = setTimeout(() => fail(new CallTimedOut(timeoutMs)), timeoutMs);
    req.on('error', fail);
    req.end(body);
  });
}

function headersOf(headers: IncomingHttpHeaders): FetchAnswer['headers'] {
  return {
    get(name) {
      const value = headers[name.toLowerCase()];
      return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
    },
  };
}
