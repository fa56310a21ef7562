import net from 'node:net';

export interface SwitchableProxy {
  port: number;
  /** `pass` forwards to the target (a stopped target gets each connection cut); `hang` accepts and never answers. */
  mode: 'pass' | 'hang';
  /** Connections accepted so far: each is one attempt by the client to reach the target. */
  connections(): number;
  close(): Promise<void>;
}

/**
 * A loopback TCP front for a real server that counts every connection attempt, even while the
 * server behind it is stopped, and can turn into a server that accepts and then hangs.
 */
export async function startSwitchableProxy(targetPort: number): Promise<SwitchableProxy> {
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  let mode: SwitchableProxy['mode'] = 'pass';
  const track = (s: net.Socket) => { sockets.add(s); s.on('close', () => sockets.delete(s)); s.on('error', () => s.destroy()); };
  const server = net.createServer((client) => {
    accepted++;
    track(client);
    if (mode === 'hang') return;
    const upstream = net.connect(targetPort, '127.0.0.1');
    track(upstream);
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    get mode() { return mode; },
    set mode(next) {
      mode = next;
      for (const s of sockets) s.destroy(); // a kept-alive connection must not outlive the switch
    },
    connections: () => accepted,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}
