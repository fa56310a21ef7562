// `npm run bench:uploads [-- --connections 1500]`: slow authenticated uploads, measured.
// A real Gatehouse (embedded PostgreSQL and auth server, default settings) runs in a child process.
// `connections` sockets, each with a valid token, send POST /items/ declaring 65,000 bytes, send
// 64,000 and stall: first all from 127.0.0.1 (one address), then spread over 127.0.0.10–209. The
// server's RSS is sampled throughout; a bystander POSTs from 127.0.0.2 while they stall. Passes when
// RSS grows ≤ 40 MB both times and the bystander's item is created under the one-address attack
// (spread over 200 addresses, the attack fills BODY_READS_MAX, so the bystander is refused 503 until
// those bodies are dropped at the idle timeout: the total cap is what bounds memory). Loopback only; about 60 s.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApiClient } from '../../test/support/api-client.js';
import { fromAddress } from '../../test/support/loopback-client.js';

const args = process.argv.slice(2);
const CONNECTIONS = args.includes('--connections') ? Number(args[args.indexOf('--connections') + 1]) : 1500;
const STALL_MS = 12_000; // past the 10 s idle timeout, so the drop shows too

if (args[0] === '--serve') {
  const { pino } = await import('pino');
  const { loadConfig } = await import('../../src/config.js');
  const { startGatehouse } = await import('../../src/main.js');
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: args[1]!, PASSWORD_HASH_COST: '12' });
  const running = await startGatehouse(config, pino({ level: 'info' }, pino.destination({ dest: '/dev/null', sync: false })));
  process.send!({ url: running.url });
  process.once('SIGTERM', () => { running.close().then(() => process.exit(0), () => process.exit(1)); });
} else {
  const dataDir = await mkdtemp(join(tmpdir(), 'gatehouse-upload-bench-'));
  const child = fork(fileURLToPath(import.meta.url), ['--serve', dataDir], { stdio: 'inherit' });
  try {
    const [{ url }] = await once(child, 'message') as [{ url: string }];
    const { token } = await new ApiClient(url).newUser('uploader');
    const rssMb = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))![1]) / 1024;
    let pass = true;
    console.log(`load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}; ${CONNECTIONS} connections, 64,000 of 65,000 bytes each`);
    console.log('| attack from | RSS before | RSS peak | added | 503 | 408 | bystander POST |');
    console.log('| --- | --- | --- | --- | --- | --- | --- |');
    for (const [label, addressOf, bystanderServed] of [
      ['127.0.0.1', () => '127.0.0.1', true],
      ['127.0.0.10–209', (i: number) => `127.0.0.${10 + (i % 200)}`, false],
    ] as const) {
      for (let i = 0; i < 3; i++) await bystanderPost(url, token); // warm
      await sleep(500);
      const before = rssMb();
      let peak = before;
      const sampler = setInterval(() => { peak = Math.max(peak, rssMb()); }, 100);
      const sockets = await Promise.all(Array.from({ length: CONNECTIONS }, (_, i) => stall(url, token, addressOf(i))));
      await sleep(1000);
      const bystander = await bystanderPost(url, token);
      await sleep(STALL_MS);
      clearInterval(sampler);
      const answers = sockets.map((s) => s.answer().slice(9, 12));
      for (const s of sockets) s.socket.destroy();
      const added = peak - before;
      pass &&= added <= 40 && (!bystanderServed || bystander === 201);
      console.log(`| ${label} | ${before.toFixed(0)} MB | ${peak.toFixed(0)} MB | ${added.toFixed(0)} MB | ${answers.filter((a) => a === '503').length} | ${answers.filter((a) => a === '408').length} | ${bystander} |`);
      await sleep(1000);
    }
    console.log(pass ? 'PASS: RSS added ≤ 40 MB both times; the bystander\'s POST created under the one-address attack' : 'FAIL');
    process.exitCode = pass ? 0 : 1;
  } finally {
    child.kill('SIGTERM');
    await once(child, 'exit');
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function stall(url: string, token: string, localAddress: string) {
  const { port } = new URL(url);
  const socket = net.connect({ port: Number(port), host: '127.0.0.1', localAddress });
  let text = '';
  socket.on('data', (d) => { text += d; }).on('error', () => undefined);
  await once(socket, 'connect');
  const body = `{"name":"${'x'.repeat(63_990)}`; // 64,000 bytes of a declared 65,000
  socket.write(`POST /items/ HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: 65000\r\n\r\n${body}`);
  return { socket, answer: () => text };
}

async function bystanderPost(url: string, token: string): Promise<number> {
  const client = fromAddress('127.0.0.2');
  const res = await client.post(`${url}/items/`, { name: `bystander-${Math.random().toString(36).slice(2)}`, description: 'small', price: '1' }, { Authorization: `Bearer ${token}` });
  client.close();
  return res.status;
}

function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}
