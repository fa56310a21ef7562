import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { DotPeer } from '../../test/support/dot-peer.js';
import type { Row } from './report.js';

/**
 * The introspection calls the DOT peer receives: one new token under a burst of 200 concurrent
 * requests (single flight: exactly 1), and 1,000 junk tokens each sent twice (the negative cache: ≤ 1,000).
 */
export async function countIntrospections(gatehouseUrl: string, dot: DotPeer): Promise<Row[]> {
  console.log('\nintrospection counts');
  const fresh = await newToken(dot);
  dot.resetCounts();
  const agent = new http.Agent({ keepAlive: true, maxSockets: 200 });
  const statuses = await Promise.all(Array.from({ length: 200 }, () => get(gatehouseUrl, fresh, agent)));
  await settle();
  const burst = dot.introspectionCalls();
  const ok = statuses.filter((s) => s === 200).length;
  console.log(`  burst: ${burst} call(s), ${ok}/200 answered 200`);

  dot.resetCounts();
  const junk = Array.from({ length: 1000 }, (_, i) => `junk-${randomBytes(12).toString('hex')}-${i}`);
  let refused = 0;
  // In chunks, each sent and then repeated at once: the negative cache keeps an answer 5 s.
  for (let i = 0; i < junk.length; i += 100) {
    const chunk = junk.slice(i, i + 100);
    for (let pass = 0; pass < 2; pass++) {
      refused += (await pooled(chunk, 32, (t) => get(gatehouseUrl, t, agent))).filter((s) => s === 401).length;
    }
  }
  await settle();
  const junkCalls = dot.introspectionCalls();
  agent.destroy();
  console.log(`  junk: ${junkCalls} call(s) for 2,000 requests, ${refused} answered 401`);
  return [
    { scenario: '200 concurrent requests, one new token', gatehouse: `${burst} call(s)`, baseline: `${ok}/200 × 200`, ratio: '',
      target: 'exactly 1', pass: burst === 1 && ok === 200 },
    { scenario: '1,000 junk tokens × 2', gatehouse: `${junkCalls} call(s)`, baseline: `${refused}/2000 × 401`, ratio: '',
      target: '≤ 1000', pass: junkCalls <= 1000 && refused === 2000 },
  ];
}

async function newToken(dot: DotPeer): Promise<string> {
  const email = `burst-${randomBytes(4).toString('hex')}@example.com`;
  const password = 'correct horse battery';
  const signUp = await fetch(`${dot.url}/users/signup/`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email, password, password2: password }),
  });
  if (signUp.status !== 201) throw new Error(`DOT sign-up: ${signUp.status}`);
  const res = await fetch(`${dot.url}/o/token/`, {
    method: 'POST',
    headers: { Authorization: `Basic ${Buffer.from(`${dot.clientId}:${dot.clientSecret}`).toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'password', username: email, password, scope: 'read write' }),
  });
  const body = await res.json() as { access_token?: string };
  if (!body.access_token) throw new Error(`DOT token: ${res.status}`);
  return body.access_token;
}

function get(base: string, token: string, agent: http.Agent): Promise<number> {
  return new Promise((done, fail) => {
    http.get(`${base}/items/?limit=1`, { agent, headers: { Authorization: `Bearer ${token}` } }, (res) => {
      res.resume().on('end', () => done(res.statusCode ?? 0));
    }).on('error', fail);
  });
}

async function pooled<T, R>(inputs: T[], width: number, work: (input: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < inputs.length) { const i = next++; results[i] = await work(inputs[i]!); }
  }));
  return results;
}

const settle = () => new Promise((done) => setTimeout(done, 500)); // gunicorn writes its access log line after answering
