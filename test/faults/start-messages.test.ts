import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { pino } from 'pino';
import { loadConfig } from '../../src/config.js';
import { startGatehouse, type RunningGatehouse } from '../../src/main.js';
import { ROOT, runSource } from '../cli/admin-cli.js';
import { requireService } from '../support/availability.js';
import { freePort } from '../support/free-port.js';
import { freshPostgresDatabase, postgresAvailable } from '../support/postgres.js';
import { rejectionOf } from '../support/rejection.js';

// What an operator reads when a start goes wrong: where, and why, in one line; never a password.

const PASSWORD = 'hunter2-not-logged';
const quiet = pino({ level: 'silent' });

/** `npm run dev` minus npm: the server from src/, its stderr and exit code. */
const runServer = (env: Record<string, string>) => runSource(join(ROOT, 'src', 'main.ts'), [], ROOT, env);

describe('start-up messages for the operator', function () {
  this.timeout(60_000);
  let fresh: { url: string; drop(): Promise<void> };

  before(async function () {
    requireService(this, await postgresAvailable(), 'PostgreSQL on 127.0.0.1:5432');
    fresh = await freshPostgresDatabase();
  });
  after(() => fresh?.drop());

  /** The fresh database's URL with a password and these parts changed. */
  const databaseUrl = (change: { port?: number; database?: string; user?: string }) => {
    const url = new URL(fresh.url);
    url.password = PASSWORD;
    if (change.port) url.port = String(change.port);
    if (change.database) url.pathname = `/${change.database}`;
    if (change.user) url.username = change.user;
    return url.toString();
  };
  const startFails = async (url: string) => {
    const err = await rejectionOf(startGatehouse(loadConfig({ PORT: '0', DATABASE_URL: url }), quiet));
    expect(err.message).not.to.include(PASSWORD);
    return err.message;
  };

  describe('a database that cannot be reached names host, port, database, user and the cause', () => {
    it('a closed port: connection refused, in the line `npm start` prints, exit 1', async () => {
      const port = await freePort();
      const { code, stderr } = await runServer({ DATABASE_URL: databaseUrl({ port }), PORT: '0' });
      expect(stderr).to.match(new RegExp(`^gatehouse: could not start: cannot reach the database "gatehouse_test_\\w+" on 127\\.0\\.0\\.1:${port} as user "postgres": connection refused \\(is PostgreSQL running and listening on that port\\?\\); check DATABASE_URL\\n$`));
      expect(stderr).not.to.include(PASSWORD);
      expect(code).to.equal(1);
    });

    it('a database that does not exist', async () => {
      expect(await startFails(databaseUrl({ database: 'no_such_db_here' })))
        .to.equal('cannot reach the database "no_such_db_here" on 127.0.0.1:5432 as user "postgres": no database by that name (create it, e.g. createdb, or fix the name); check DATABASE_URL');
    });

    it('a user the server refuses: authentication failed', async () => {
      expect(await startFails(databaseUrl({ user: 'no_such_role_here' })))
        .to.match(/^cannot reach the database "gatehouse_test_\w+" on 127\.0\.0\.1:5432 as user "no_such_role_here": authentication failed \(role "no_such_role_here" does not exist\); check DATABASE_URL$/);
    });

    it('a server that accepts and never answers: timed out', async () => {
      const sockets: Socket[] = [];
      const silent: Server = createServer((socket) => { sockets.push(socket); }).listen(0, '127.0.0.1');
      await once(silent, 'listening');
      const port = (silent.address() as { port: number }).port;
      try {
        expect(await startFails(databaseUrl({ port }))).to.match(new RegExp(`on 127\\.0\\.0\\.1:${port} as user "postgres": timed out: nothing answered within 5 s`));
      } finally {
        for (const socket of sockets) socket.destroy();
        silent.close();
      }
    });
  });

  it('an authorization server that does not answer is a warning naming its URL; the start goes on and /readyz says 503', async () => {
    const authServerUrl = `http://127.0.0.1:${await freePort()}`;
    const lines: Record<string, unknown>[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => { lines.push(JSON.parse(line)); } });
    const running = await startGatehouse(loadConfig({
      PORT: '0', DATABASE_URL: fresh.url, AUTH_ADAPTER: 'dot', AUTH_SERVER_URL: authServerUrl, AUTH_CLIENT_ID: 'gatehouse', AUTH_CLIENT_SECRET: PASSWORD,
    }), logger);
    try {
      for (let i = 0; i < 100 && !lines.some((l) => l.level === 40); i++) await new Promise((done) => setTimeout(done, 50));
      const warning = lines.find((l) => l.level === 40);
      expect(warning, JSON.stringify(lines)).to.deep.include({ authServerUrl });
      expect(warning!.msg).to.match(new RegExp(`^the authorization server at ${authServerUrl} does not answer \\(.*ECONNREFUSED.*\\); starting anyway: /readyz answers 503 until it does$`));
      expect(JSON.stringify(lines)).not.to.include(PASSWORD);
      expect((await fetch(`${running.url}/readyz`)).status).to.equal(503);
    } finally {
      await running.close();
    }
  });

  describe('a second start in the same checkout', () => {
    let dataDir: string;
    let first: RunningGatehouse;
    before(async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'gatehouse-second-start-'));
      first = await startGatehouse(loadConfig({ PORT: '0', DATA_DIR: dataDir }), quiet);
    });
    after(async () => {
      await first?.close();
      await rm(dataDir, { recursive: true, force: true });
    });

    it('names the Gatehouse already running on that data folder: its pid and the URL it listens on', async () => {
      const { code, stderr } = await runServer({ DATA_DIR: dataDir, PORT: '0' });
      expect(stderr).to.match(new RegExp(`^gatehouse: could not start: Gatehouse is already running with the data folder ${dataDir}: pid ${process.pid}, listening on ${first.url.replaceAll('.', '\\.')}, since \\S+; stop it \\(kill ${process.pid}\\), or give this one its own DATA_DIR and PORT\\n$`));
      expect(code).to.equal(1);
    });

    it('on another data folder but the same port, names the address in use', async () => {
      const { code, stderr } = await runServer({ DATABASE_URL: fresh.url, PORT: new URL(first.url).port });
      expect(stderr).to.equal(`gatehouse: could not start: 127.0.0.1:${new URL(first.url).port} is already in use by another process (another Gatehouse?); set PORT to a free port\n`);
      expect(code).to.equal(1);
    });
  });
});
