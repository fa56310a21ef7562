import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import nodeFetch from 'node-fetch';
import { Deadline } from './deadline.js';
import { AuthServerBadAnswer, AuthServerUnavailable } from '../../domain/errors.js';

export type Fetch = typeof nodeFetch;

const IDLE_CONNECTION_MS = 1000;

/** A reply read in full: the body is text so a non-JSON answer can still be classified. */
export interface Answer {
  path: string;
  status: number;
  contentType: string;
  text: string;
}

export interface Call {
  method: 'GET' | 'POST' | 'PUT';
  path: string;
  form?: URLSearchParams;
  json?: unknown;
  authorization?: string;
}

/**
 * HTTP to an authorization server, shared by the adapters that speak to one over the network.
 * One pooled connection set per adapter; every call is bounded by `timeoutMs`, body included.
 * Failing to get an answer at all is AuthServerUnavailable; the status is the caller's business.
 */
export class HttpClient {
  /**
   * Connections are kept for the next call, but closed after 1 s unused: sooner than a server
   * closes them (gunicorn's default is 2 s), so a call is never sent on a connection the server
   * is closing at that moment (ECONNRESET, which would be a 503 for the client).
   */
  private readonly httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 32, timeout: IDLE_CONNECTION_MS });
  private readonly httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: 32, timeout: IDLE_CONNECTION_MS });
  /** Metadata may name endpoints on another origin than the server's URL, so the agent goes by each call's. */
  private readonly agent = (url: URL) => (url.protocol === 'https:' ? this.httpsAgent : this.httpAgent);

  constructor(private readonly baseUrl: string, private readonly timeoutMs: number, private readonly fetch: Fetch) {}

  async send({ method, path, form, json, authorization }: Call): Promise<Answer> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (authorization) headers.Authorization = authorization;
    let body: string | undefined;
    if (form) { body = form.toString(); headers['Content-Type'] = 'application/x-www-form-urlencoded'; }
    if (json !== undefined) { body = JSON.stringify(json); headers['Content-Type'] = 'application/json'; }
    const deadline = new Deadline(this.timeoutMs);
    try {
      const res = await this.fetch(new URL(path, this.baseUrl).href, {
        method, headers, body, signal: deadline as unknown as AbortSignal, redirect: 'manual', agent: this.agent,
      });
      const text = await res.text();
      return { path, status: res.status, contentType: res.headers.get('content-type') ?? '', text };
    } catch (err) {
      const why = deadline.aborted ? `no answer within ${this.timeoutMs} ms` : describeNetworkError(err);
      throw new AuthServerUnavailable(`the authorization server is unavailable: ${why}`, { cause: err });
    } finally {
      deadline.clear();
    }
  }
}

/** RFC 6749 §2.3.1: each part is form-urlencoded before it is joined and base64-encoded. */
export function basicAuthorization(clientId: string, clientSecret: string): string {
  const encode = (part: string) => new URLSearchParams([['', part]]).toString().slice(1);
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(clientSecret)}`).toString('base64')}`;
}

/** Any 5xx means the server cannot serve us now. */
export function rejectServerError(answer: Answer): Answer {
  if (answer.status >= 500) throw serverError(answer);
  return answer;
}

/** What a 5xx means, for code that reads an answer's errors itself. */
export function serverError(answer: Answer): AuthServerUnavailable {
  return new AuthServerUnavailable(`the authorization server answered ${answer.status} at ${answer.path}`);
}

/** The body as a JSON object; anything else is a bad answer. The body itself is never quoted: it may hold tokens. */
export function jsonObject(answer: Answer): Record<string, unknown> {
  const where = `${answer.path} answered ${answer.status}`;
  if (!/\bjson\b/i.test(answer.contentType)) {
    throw new AuthServerBadAnswer(`${where} with ${answer.contentType || 'no content type'} where JSON was expected`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer.text);
  } catch (err) {
    throw new AuthServerBadAnswer(`${where} with a body that is not valid JSON`, { cause: err });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new AuthServerBadAnswer(`${where} with JSON that is not an object`);
  }
  return parsed as Record<string, unknown>;
}

export function unexpected(answer: Answer): AuthServerBadAnswer {
  return new AuthServerBadAnswer(`${answer.path} answered an unexpected ${answer.status}`);
}

function describeNetworkError(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code !== 'ERR_NON_2XX_3XX_RESPONSE') return code; // ECONNREFUSED, ECONNRESET…
  return err instanceof Error ? err.name : 'network error';
}
