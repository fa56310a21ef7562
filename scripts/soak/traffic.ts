/**
 * The soak's traffic: one user per connection, each loop writing only its own items (so "the last
 * acknowledged content" of an item is well defined) and now and then trying to change another
 * loop's item, which must be refused. Everything is checked once the clock runs out.
 */
export interface Stats {
  byOperation: Record<string, Record<string, number>>;
  serverErrorsOutside: string[];
  unavailableInside: number;
  /** The problem types of those 503s: which dependency was missing. */
  unavailableTypes: Record<string, number>;
  /** When the last request answered 503 was sent (ms since the epoch). */
  lastUnavailableSentAt: number;
  transportErrors: string[];
  lost: string[];
  verified: number;
  deleted: number;
  crossUserAttempts: number;
  crossUserSucceeded: number;
  p50Ms: number;
  p99Ms: number;
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

interface Tracked { id: number; owner: number; body?: unknown; deleted: boolean }
interface Options { until: number; window: { from: number; to: number } }

/** `start` is called once every user is signed up and holds a token: the clock and the fault begin there. */
export async function runTraffic(base: string, connections: number, start: () => Options): Promise<Stats> {
  const stats: Stats = { byOperation: {}, serverErrorsOutside: [], unavailableInside: 0, unavailableTypes: {}, lastUnavailableSentAt: 0, transportErrors: [], lost: [], verified: 0,
    deleted: 0, crossUserAttempts: 0, crossUserSucceeded: 0, p50Ms: 0, p99Ms: 0 };
  const latencies: number[] = [];
  let window: Options['window'] | undefined;
  const items: Tracked[] = [];
  let deadline = Infinity;
  const call = async (op: string, method: string, path: string, token?: string, json?: unknown) => {
    const started = performance.now();
    const at = Date.now();
    try {
      const res = await fetch(`${base}${path}`, { method, headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}),
        ...(json ? { 'Content-Type': 'application/json' } : {}) }, body: json ? JSON.stringify(json) : null });
      const text = await res.text();
      latencies.push(performance.now() - started);
      const byStatus = (stats.byOperation[op] ??= {});
      byStatus[res.status] = (byStatus[res.status] ?? 0) + 1;
      const inWindow = !!window && Date.now() >= window.from && at <= window.to; // overlapping the outage at all
      if (res.status >= 500 && !(inWindow && res.status === 503)) {
        stats.serverErrorsOutside.push(`${op} ${method} ${path} → ${res.status} at +${at - (window?.from ?? at)} ms from the stop ${text.slice(0, 120)}`);
      }
      const body = text ? JSON.parse(text) : undefined;
      if (res.status === 503 && inWindow) {
        stats.unavailableInside++;
        const type = String(body?.type ?? body?.error ?? 'unknown');
        stats.unavailableTypes[type] = (stats.unavailableTypes[type] ?? 0) + 1;
      }
      if (res.status === 503) {
        stats.lastUnavailableSentAt = Math.max(stats.lastUnavailableSentAt, at);
        // A well-behaved client waits as told; one that retried at once would count its own impatience as outage.
        const waitMs = Number(res.headers.get('retry-after') ?? '1') * 1000;
        await sleep(Math.min(waitMs, Math.max(0, deadline - Date.now())));
      }
      return { status: res.status, body };
    } catch (err) {
      stats.transportErrors.push(`${op} ${method} ${path}: ${(err as Error).message}`);
      return { status: 0, body: undefined };
    }
  };

  const setUp = async (n: number) => {
    const email = `soak-${n}-${Date.now()}@example.com`;
    const password = 'correct horse battery';
    const signUp = await call('signUp', 'POST', '/users/signup/', undefined, { email, password, password2: password });
    const pair = await call('getToken', 'POST', '/users/token/', undefined, { email, password });
    if (signUp.status !== 201 || pair.status !== 200) throw new Error(`could not set up user ${n}: ${signUp.status} ${pair.status}`);
    return { id: signUp.body.id as number, email, password, token: pair.body.access_token as string, refresh: pair.body.refresh_token as string };
  };
  const users: Awaited<ReturnType<typeof setUp>>[] = [];
  for (let n = 0; n < connections; n += 8) { // the DOT peer hashes passwords with two workers: not 64 at once
    users.push(...await Promise.all(Array.from({ length: Math.min(8, connections - n) }, (_, k) => setUp(n + k))));
  }

  const { until, window: injected } = start();
  window = injected;
  deadline = until;
  let counter = 0;
  const loop = async (n: number) => {
    const user = users[n]!;
    const mine: Tracked[] = [];
    while (Date.now() < until) {
      const roll = Math.random();
      const live = mine.filter((i) => !i.deleted);
      const pick = live[Math.floor(Math.random() * live.length)];
      const content = () => ({ name: `soak ${n} ${++counter} ${Math.random().toString(36).slice(2, 8)}`, description: `at ${Date.now()}`, price: `${Math.floor(Math.random() * 10_000)}.${String(Math.floor(Math.random() * 100)).padStart(2, '0')}` });
      if (roll < 0.3) await call('list', 'GET', '/items/?limit=20', user.token);
      else if (roll < 0.45 || !pick) {
        const res = await call('create', 'POST', '/items/', user.token, content());
        if (res.status === 201) { const t = { id: res.body.id, owner: user.id, body: res.body, deleted: false }; mine.push(t); items.push(t); }
      } else if (roll < 0.55) await call('read', 'GET', `/items/${pick.id}/`, user.token);
      else if (roll < 0.72) {
        const res = Math.random() < 0.5 ? await call('patch', 'PATCH', `/items/${pick.id}/`, user.token, { description: `patched ${++counter}` })
          : await call('put', 'PUT', `/items/${pick.id}/`, user.token, content());
        if (res.status === 200) pick.body = res.body;
      } else if (roll < 0.8) {
        if ((await call('delete', 'DELETE', `/items/${pick.id}/`, user.token)).status === 204) pick.deleted = true;
      } else if (roll < 0.86) {
        const res = await call('refresh', 'POST', '/users/token/refresh/', undefined, { refresh: user.refresh });
        if (res.status === 200) { user.token = res.body.access_token; user.refresh = res.body.refresh_token; }
      } else {
        const theirs = items.filter((i) => i.owner !== user.id && !i.deleted);
        const target = theirs[Math.floor(Math.random() * theirs.length)];
        if (!target) continue;
        stats.crossUserAttempts++;
        const res = Math.random() < 0.5 ? await call('crossUserWrite', 'PATCH', `/items/${target.id}/`, user.token, { description: 'not mine' })
          : await call('crossUserWrite', 'DELETE', `/items/${target.id}/`, user.token);
        if (res.status < 300) stats.crossUserSucceeded++;
      }
    }
  };
  await Promise.all(users.map((_, n) => loop(n)));

  // A fresh sign-in: a user's own token may be dead by now, and rightly so. A refresh DOT carried
  // out but whose answer was lost to the injected outage (a 503) rotated the pair, so the retry with
  // the old refresh token is refused and the access token the user kept is revoked.
  const checker = users[0]!;
  const signedIn = await call('getToken', 'POST', '/users/token/', undefined, { email: checker.email, password: checker.password });
  if (signedIn.status !== 200) throw new Error(`the checker could not sign in to verify the items: ${signedIn.status}`);
  for (const item of items) {
    const res = await call('verify', 'GET', `/items/${item.id}/`, signedIn.body.access_token as string);
    if (item.deleted) {
      if (res.status === 404) stats.deleted++; else stats.lost.push(`item ${item.id} was deleted but answers ${res.status}`);
    } else if (res.status !== 200 || JSON.stringify(res.body) !== JSON.stringify(item.body) || res.body.user.id !== item.owner) {
      stats.lost.push(`item ${item.id}: expected ${JSON.stringify(item.body)}, got ${res.status} ${JSON.stringify(res.body)}`);
    } else stats.verified++;
  }
  latencies.sort((a, b) => a - b);
  stats.p50Ms = latencies[Math.floor(latencies.length * 0.5)] ?? 0;
  stats.p99Ms = latencies[Math.floor(latencies.length * 0.99)] ?? 0;
  return stats;
}
