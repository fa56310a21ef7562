import { performance } from 'node:perf_hooks';
import { expect } from 'chai';
import { ApiClient } from './api-client.js';

/**
 * Milliseconds from `since` until `url` answers 401 to the token (GET /items/), asking again at
 * once after each 200; `accepted` counts those 200s.
 */
export async function refusedAfter(url: string, token: string, since: number, giveUpMs = 5_000, counts = { accepted: 0 }): Promise<number> {
  for (;;) {
    const res = await fetch(`${url}/items/?limit=1`, { headers: { Authorization: `Bearer ${token}` } });
    await res.arrayBuffer();
    const elapsed = performance.now() - since;
    if (res.status === 401) return elapsed;
    counts.accepted++;
    if (res.status !== 200) throw new Error(`expected 200 or 401, got ${res.status}`);
    if (elapsed > giveUpMs) throw new Error(`still accepted ${Math.round(elapsed)} ms after it was retired`);
  }
}

export const percentile = (sorted: number[], p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;

/** `gatehouse_introspection_cache_hits_total` from an instance's /metrics. */
export async function cacheHits(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^gatehouse_introspection_cache_hits_total (\d+)/m.exec(text)?.[1] ?? NaN);
}

/**
 * `rounds` retirements made on instance A, alternately a refresh (the old access token) and a
 * password change (every token of the account), each of a token instance B holds in its cache;
 * for each, the time from A's answer until B refuses the token. Prints the distribution.
 */
export async function measureRetirements(a: ApiClient, b: ApiClient, label: string, rounds = 200): Promise<number[]> {
  const user = await a.newUser('fleet');
  let password = user.password;
  let current = { access: user.token, refresh: user.refresh };
  const byKind: Record<'refresh' | 'password change', number[]> = { refresh: [], 'password change': [] };
  const hitsBefore = await cacheHits(b.baseUrl);
  const late = { accepted: 0 };
  let acceptedOnce = 0;
  for (let i = 0; i < rounds; i++) {
    for (let warm = 0; warm < 2; warm++) expect((await b.get('/items/?limit=1', { token: current.access })).status).to.equal(200); // the second is a cache hit
    const retired = current.access;
    if (i % 2 === 0) {
      const res = await a.post('/users/token/refresh/', { json: { refresh: current.refresh } });
      const since = performance.now();
      expect(res.status, res.text).to.equal(200);
      const before = late.accepted;
      byKind.refresh.push(await refusedAfter(b.baseUrl, retired, since, 5_000, late));
      if (late.accepted > before) acceptedOnce++;
      current = { access: res.body.access_token, refresh: res.body.refresh_token };
    } else {
      const next = `passphrase number ${i} of ${label}`;
      const res = await a.put('/users/password/', { token: current.access, json: { old_password: password, password: next, password2: next } });
      const since = performance.now();
      expect(res.status, res.text).to.equal(204);
      const before = late.accepted;
      byKind['password change'].push(await refusedAfter(b.baseUrl, retired, since, 5_000, late));
      if (late.accepted > before) acceptedOnce++;
      password = next;
      const again = await a.post('/users/token/', { json: { email: user.email, password } });
      expect(again.status, again.text).to.equal(200);
      current = { access: again.body.access_token, refresh: again.body.refresh_token };
    }
  }
  expect(await cacheHits(b.baseUrl) - hitsBefore).to.be.at.least(rounds); // B really held each token in its cache
  const all = [...byKind.refresh, ...byKind['password change']].sort((x, y) => x - y);
  const show = (ms: number[]) => {
    const s = [...ms].sort((x, y) => x - y);
    return `p50 ${percentile(s, 50).toFixed(1)} ms, p99 ${percentile(s, 99).toFixed(1)} ms, max ${s.at(-1)!.toFixed(1)} ms`;
  };
  console.log(`      ${label}: a token retired on A, refused on B (INTROSPECTION_CACHE_TTL=300), ${all.length} retirements: ${show(all)}`);
  for (const [kind, ms] of Object.entries(byKind)) console.log(`        ${kind} (${ms.length}): ${show(ms)}`);
  console.log(`        B still answered 200 after A's answer for ${acceptedOnce} of ${all.length} tokens (${late.accepted} requests); the first request refused the rest`);
  return all;
}
