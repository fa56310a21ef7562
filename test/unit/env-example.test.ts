import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { loadConfig, SETTING_NAMES } from '../../src/config.js';

const EXAMPLE = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '.env.example');

/** `# NAME=default` lines: the settings .env.example lists, with the default it shows. */
function exampleSettings(): Map<string, string> {
  const settings = new Map<string, string>();
  for (const line of readFileSync(EXAMPLE, 'utf8').split('\n')) {
    const match = /^# ([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (match) settings.set(match[1]!, match[2]!);
  }
  return settings;
}

/** What each adapter cannot start without, so that its own settings are read too. */
const REQUIRED_BY: Record<string, Record<string, string>> = {
  embedded: {},
  dot: { AUTH_ADAPTER: 'dot', AUTH_SERVER_URL: 'https://as.example.com', AUTH_CLIENT_ID: 'gh', AUTH_CLIENT_SECRET: 's' },
  oauth2: { AUTH_ADAPTER: 'oauth2', AUTH_SERVER_URL: 'https://as.example.com', AUTH_CLIENT_ID: 'gh', AUTH_CLIENT_SECRET: 's' },
  jwt: { AUTH_ADAPTER: 'jwt', AUTH_SERVER_URL: 'https://as.example.com', AUTH_AUDIENCE: 'api', AUTH_CLIENT_ID: 'gh', AUTH_CLIENT_SECRET: 's' },
};

/** Every variable loadConfig looks at, in each adapter's mode: read from the code as it runs, not from a copy of its list. */
function namesRead(): Set<string> {
  const read = new Set<string>();
  for (const required of Object.values(REQUIRED_BY)) {
    const env = new Proxy({ ...required } as NodeJS.ProcessEnv, {
      get(target, name) { if (typeof name === 'string') read.add(name); return Reflect.get(target, name); },
    });
    loadConfig(env);
  }
  return read;
}

describe('.env.example', () => {
  it('lists every setting the configuration reads, and nothing else', () => {
    const listed = [...exampleSettings().keys()];
    const known: readonly string[] = SETTING_NAMES;
    expect(known.filter((name) => !listed.includes(name)), 'missing from .env.example').to.deep.equal([]);
    expect(listed.filter((name) => !known.includes(name)), 'in .env.example but not read by config.ts').to.deep.equal([]);
    expect(listed.length, 'listed twice').to.equal(new Set(listed).size);
  });

  it('SETTING_NAMES is what loadConfig reads across the four adapters', () => {
    expect([...namesRead()].sort()).to.deep.equal([...SETTING_NAMES].sort());
  });

  it('shows each setting\'s real default: the values it shows change nothing, in every adapter\'s mode', () => {
    const shown = Object.fromEntries(exampleSettings());
    for (const [adapter, required] of Object.entries(REQUIRED_BY)) {
      expect(loadConfig({ ...shown, ...required }), adapter).to.deep.equal(loadConfig(required));
    }
  });
});
