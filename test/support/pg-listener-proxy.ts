import net from 'node:net';

export interface PgListenerProxy {
  port: number;
  /** Cuts the connections of that application and refuses its new ones until `restore`; every other connection carries on. */
  cut(): void;
  /** Its open connections stop carrying anything either way, without closing: a connection that died silently. */
  freeze(): void;
  restore(): void;
  /** Connections of that application accepted or refused so far: each is an attempt to connect. */
  attempts(): number;
  close(): Promise<void>;
}

/**
 * A loopback proxy in front of PostgreSQL that tells one application's connections from the rest
 * by the `application_name` in their startup packet (plain text: no TLS on loopback), so a test
 * can take Gatehouse's listening connection away while its pool keeps working.
 */
export async function startPgListenerProxy(applicationName: string, targetPort = 5432): Promise<PgListenerProxy> {
  const marker = Buffer.from(`application_name\0${applicationName}\0`);
  const links = new Set<{ client: net.Socket; upstream: net.Socket; tagged: boolean; frozen: boolean }>();
  let mode: 'pass' | 'cut' = 'pass';
  let attempts = 0;
  const server = net.createServer((client) => {
    client.on('error', () => client.destroy());
    client.once('data', (first) => {
      const tagged = first.includes(marker);
      if (tagged) attempts++;
      if (tagged && mode === 'cut') { client.destroy(); return; }
      const upstream = net.connect(targetPort, '127.0.0.1');
      const link = { client, upstream, tagged, frozen: false };
      links.add(link);
      upstream.on('error', () => upstream.destroy());
      upstream.write(first);
      client.on('data', (chunk) => { if (!link.frozen) upstream.write(chunk); });
      upstream.on('data', (chunk) => { if (!link.frozen) client.write(chunk); });
      const end = () => { links.delete(link); client.destroy(); upstream.destroy(); };
      client.on('close', end);
      upstream.on('close', end);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const tagged = () => [...links].filter((l) => l.tagged);
  return {
    port: (server.address() as net.AddressInfo).port,
    cut() {
      mode = 'cut';
      for (const l of tagged()) { l.client.destroy(); l.upstream.destroy(); }
    },
    freeze() { for (const l of tagged()) l.frozen = true; },
    restore() { mode = 'pass'; },
    attempts: () => attempts,
    close: () => new Promise<void>((resolve) => {
      for (const l of links) { l.client.destroy(); l.upstream.destroy(); }
      server.close(() => resolve());
    }),
  };
}
