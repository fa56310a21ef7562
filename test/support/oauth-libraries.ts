import * as oauth from 'oauth4webapi';
import { assertMatchesContract } from './contract.js';

/** fetch, with every answer checked against openapi.yaml as the HTTP suites check theirs: give it only Gatehouse's URLs. */
export const contractFetch = async (url: string, options: { method: string; body?: unknown; headers: Record<string, string> }): Promise<Response> => {
  const res = await fetch(url, options as RequestInit);
  const text = await res.clone().text();
  const contentType = res.headers.get('content-type') ?? '';
  const { pathname, search } = new URL(url);
  assertMatchesContract({ method: options.method ?? 'GET', path: pathname + search, status: res.status, headers: res.headers,
    body: text && /json/.test(contentType) ? JSON.parse(text) : text || undefined, contentType });
  return res;
};

/** What oauth4webapi is told: plain http on loopback, and the checking fetch. */
export const CHECKED_HTTP = { [oauth.allowInsecureRequests]: true, [oauth.customFetch]: contractFetch } as const;

/** The error a call throws, or its answer when it does not. */
export async function rejectionOrResponse(call: () => Promise<unknown>): Promise<unknown> {
  try { return await call(); } catch (err) { return err; }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
