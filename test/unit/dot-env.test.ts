import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { ConfigError } from '../../src/config.js';
import { withDotEnv } from '../../src/dot-env.js';

describe('settings from a .env file', () => {
  let dir: string;
  const file = (text: string) => { const path = join(dir, '.env'); writeFileSync(path, text); return path; };
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'gatehouse-dotenv-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('adds what the file sets: comments, blank lines, export, quotes and a quoted value over two lines', () => {
    const path = file('# a comment\n\nPORT=9001\nexport HOST=0.0.0.0\nLOG_LEVEL="debug" # trailing comment\nAUTH_CLIENT_SECRET=\'a#b=c\'\nCORS_ORIGINS="https://a.example.com,\nhttps://b.example.com"\n');
    const { env, fromFile, overridden } = withDotEnv({ PATH: '/bin' }, path);
    expect(env).to.deep.equal({
      PATH: '/bin', PORT: '9001', HOST: '0.0.0.0', LOG_LEVEL: 'debug', AUTH_CLIENT_SECRET: 'a#b=c',
      CORS_ORIGINS: 'https://a.example.com,\nhttps://b.example.com',
    });
    expect(fromFile).to.deep.equal(['AUTH_CLIENT_SECRET', 'CORS_ORIGINS', 'HOST', 'LOG_LEVEL', 'PORT']);
    expect(overridden).to.deep.equal([]);
  });

  it('lets the environment win over the file, an empty variable included, and says which it overrode', () => {
    const path = file('PORT=9001\nHOST=0.0.0.0\nDATA_DIR=/srv/data\n');
    const given = { PORT: '7000', DATA_DIR: '' };
    const { env, fromFile, overridden } = withDotEnv(given, path);
    expect(env).to.deep.equal({ PORT: '7000', DATA_DIR: '', HOST: '0.0.0.0' });
    expect(fromFile).to.deep.equal(['HOST']);
    expect(overridden).to.deep.equal(['DATA_DIR', 'PORT']);
    expect(given, 'the environment given is not changed').to.deep.equal({ PORT: '7000', DATA_DIR: '' });
  });

  it('changes nothing when there is no file', () => {
    const given = { PORT: '7000' };
    expect(withDotEnv(given, join(dir, '.env'))).to.deep.equal({ env: given, fromFile: [], overridden: [] });
  });

  for (const [text, message] of [
    ['PORT=9001\nAUTH_CLIENT_SECRET hunter2\n', /line 2 is not NAME=value/],
    ['PORT=9001\n\n# ok\nDATABASE-URL=postgres://u:hunter2@db/x\n', /line 4 is not NAME=value/],
    ['PORT=9001\nAUTH_CLIENT_SECRET="hunter2\nLOG_LEVEL=debug\n', /line 2: the quoted value of AUTH_CLIENT_SECRET never ends \(no closing "\)/],
  ] as const) {
    it(`stops with the line number and without echoing the line: ${JSON.stringify(text)}`, () => {
      const path = file(text);
      const err = (() => { try { withDotEnv({}, path); } catch (e) { return e; } return undefined; })();
      expect(err).to.be.instanceOf(ConfigError);
      expect((err as Error).message).to.match(message);
      expect((err as Error).message.startsWith(path)).to.equal(true);
      expect((err as Error).message).not.to.include('hunter2');
    });
  }
});
