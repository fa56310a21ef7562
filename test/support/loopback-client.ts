import http from 'node:http';

export interface LoopbackAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: any;
}

/**
 * Requests sent from a chosen loopback source address: Linux routes all of 127.0.0.0/8 to lo, so
 * 127.0.0.2, 127.0.0.3… are as many client addresses on one machine. Keep-alive connections, as a
 * real client's; `close()` drops them.
 */
export function fromAddress(localAddress: string) {
  if (!localAddress.startsWith('127.')) throw new Error(`loopback only, not ${localAddress}`);
  const agent = new http.Agent({ keepAlive: true, localAddress });
  return {
    localAddress,
    request(method: string, url: string, options: { json?: unknown; headers?: Record<string, string> } = {}): Promise<LoopbackAnswer> {
      const body = options.json === undefined ? undefined : JSON.stringify(options.json);
      const headers = { ...(body ? { 'Content-Type': 'application/json' } : {}), ...options.headers };
      return new Promise((resolve, reject) => {
        const req = http.request(url, { method, agent, localAddress, headers }, (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (chunk) => { text += chunk; }).on('error', reject).on('end', () => {
            const json = /json/.test(res.headers['content-type'] ?? '') && text ? JSON.parse(text) : text;
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: json });
          });
        });
        req.on('error', reject).end(body);
      });
    },
    post(url: string, json: unknown, headers?: Record<string, string>): Promise<LoopbackAnswer> {
      return this.request('POST', url, { json, ...(headers ? { headers } : {}) });
    },
    close(): void { agent.destroy(); },
  };
}

export type LoopbackClient = ReturnType<typeof fromAddress>;

/** Median of some timings; NaN for none. */
export function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor(sorted.length / 2)]! : Number.NaN;
}

/**
 * `connections` loops from each of `addresses`, each signing in to random unknown emails with a
 * wrong password as fast as it is answered (a password check each, unless refused); `stop()` ends
 * them and answers the statuses they got.
 */
export function startSignInFlood(baseUrl: string, addresses: string[], connections: number) {
  let running = true;
  const statuses: Record<string, number> = {};
  const clients = addresses.map(fromAddress);
  const started = performance.now();
  const loop = async (client: LoopbackClient) => {
    while (running) {
      const email = `flood-${Math.random().toString(36).slice(2, 12)}@example.com`;
      const res = await client.post(`${baseUrl}/users/token/`, { email, password: 'wrong horse battery' }).catch(() => undefined);
      const key = res ? String(res.status) : 'network error';
      statuses[key] = (statuses[key] ?? 0) + 1;
    }
  };
  const loops = clients.flatMap((client) => Array.from({ length: connections }, () => loop(client)));
  return {
    async stop() {
      running = false;
      const seconds = (performance.now() - started) / 1000;
      await Promise.all(loops);
      for (const client of clients) client.close();
      return { statuses, seconds, total: Object.values(statuses).reduce((a, b) => a + b, 0) };
    },
  };
}

/** Sequential sign-ins of `who`, each from the next of `clients` in turn, up to `count` or until `capMs` has passed; a non-200 is counted, not timed. */
export async function timedSignIns(baseUrl: string, clients: LoopbackClient[], who: { email: string; password: string }, count: number, capMs = 60_000) {
  const ms: number[] = [];
  const failed: string[] = [];
  const deadline = Date.now() + capMs;
  for (let i = 0; i < count && Date.now() < deadline; i++) {
    const start = performance.now();
    const res = await clients[i % clients.length]!.post(`${baseUrl}/users/token/`, who);
    if (res.status === 200) ms.push(performance.now() - start); else failed.push(String(res.status));
  }
  return { ms, failed, answered200: ms.length / (ms.length + failed.length) };
}

/** startSignInFlood in a child process (see flood-child.ts); `stop()` answers what it got. */
export async function startFloodProcess(baseUrl: string, addresses: string[], connections: number) {
  const { fork } = await import('node:child_process');
  const { once } = await import('node:events').then((m) => m.default);
  const child = fork(new URL('./flood-child.ts', import.meta.url), [baseUrl, String(connections), ...addresses], { execArgv: ['--import', 'tsx'] });
  await once(child, 'message');
  return {
    async stop(): Promise<{ statuses: Record<string, number>; seconds: number; total: number }> {
      const answer = once(child, 'message');
      child.send('stop');
      const [result] = await answer;
      return result;
    },
  };
}
