import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { ROOT, runSource } from '../cli/admin-cli.js';

// The server and the admin command line read .env from the directory they are started in. Each
// .env below would stop a start with a message naming its own value, so the message shows which
// value won, before any database starts.

const TSX = import.meta.resolve('tsx'); // the tests run in a temporary directory, without node_modules
const ENTRIES = { server: join(ROOT, 'src', 'main.ts'), admin: join(ROOT, 'src', 'cli', 'admin.ts') };
// The environment alone names an adapter it lacks the settings of: a start that ignored .env stops on that instead.
const DOT_FROM_FILE = 'AUTH_SERVER_URL=http://127.0.0.1:9\nAUTH_CLIENT_ID=gatehouse\nAUTH_CLIENT_SECRET=hunter2\n';

describe('.env in the working directory, at start', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'gatehouse-dotenv-start-')); });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  for (const [name, entry, args, prefix] of [
    ['npm start / npm run dev', ENTRIES.server, [], 'gatehouse: '],
    ['npm run admin', ENTRIES.admin, ['grant-staff', 'someone@example.com'], 'gatehouse admin: '],
  ] as const) {
    it(`${name} reads it`, async () => {
      await writeFile(join(dir, '.env'), `${DOT_FROM_FILE}DPOP_IAT_WINDOW_SECONDS=9999\n`);
      const { code, stderr } = await runSource(entry, [...args], dir, { AUTH_ADAPTER: 'dot' }, TSX);
      expect(stderr).to.equal(`${prefix}DPOP_IAT_WINDOW_SECONDS must be a whole number from 1 to 600, got "9999"\n`);
      expect(code).to.equal(2);
    });

    it(`${name}: the environment wins over it`, async () => {
      await writeFile(join(dir, '.env'), `${DOT_FROM_FILE}DPOP_IAT_WINDOW_SECONDS=9999\n`);
      const { code, stderr } = await runSource(entry, [...args], dir, { AUTH_ADAPTER: 'dot', DPOP_IAT_WINDOW_SECONDS: '7777' }, TSX);
      expect(stderr).to.equal(`${prefix}DPOP_IAT_WINDOW_SECONDS must be a whole number from 1 to 600, got "7777"\n`);
      expect(code).to.equal(2);
    });

    it(`${name}: a malformed line stops it with the file and line, not the line's text`, async () => {
      await writeFile(join(dir, '.env'), `${DOT_FROM_FILE}# fine\nAUTH_CLIENT_SECRET hunter3\n`);
      const { code, stderr } = await runSource(entry, [...args], dir, { AUTH_ADAPTER: 'dot' }, TSX);
      expect(stderr).to.equal(`${prefix}.env line 5 is not NAME=value (a name of letters, digits and _, then =)\n`);
      expect(code).to.equal(2);
    });
  }
});
