import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('configuration', () => {
  it('runs on sane defaults with an empty environment: embedded database and auth server, 127.0.0.1:8001', () => {
    const config = loadConfig({});
    expect(config).to.include({ port: 8001, host: '127.0.0.1', dataDir: '.data', logLevel: 'info', docsEnabled: true });
    expect(config.auth).to.deep.equal({ adapter: 'embedded', passwordHashCost: 17 });
    expect(config.databaseUrl).to.equal(undefined);
    expect(config.cache).to.deep.equal({ ttlSeconds: 60, maxEntries: 10_000 });
  });

  it('keeps each adapter\'s embedded database in its own DATA_DIR unless DATA_DIR says otherwise', () => {
    const remote = { AUTH_SERVER_URL: 'https://as.example.com', AUTH_CLIENT_ID: 'gatehouse', AUTH_CLIENT_SECRET: 's3cret', AUTH_AUDIENCE: 'x' };
    expect(loadConfig({}).dataDir).to.equal('.data'); // embedded: where existing data already is
    expect(loadConfig({ AUTH_ADAPTER: 'dot', ...remote }).dataDir).to.equal('.data-dot');
    expect(loadConfig({ AUTH_ADAPTER: 'oauth2', ...remote }).dataDir).to.equal('.data-oauth2');
    expect(loadConfig({ AUTH_ADAPTER: 'jwt', ...remote }).dataDir).to.equal('.data-jwt');
    expect(loadConfig({ AUTH_ADAPTER: 'dot', ...remote, DATA_DIR: '/var/lib/gatehouse' }).dataDir).to.equal('/var/lib/gatehouse');
  });

  for (const [env, message] of [
    [{ PORT: 'eighty' }, 'PORT must be a whole number from 0 to 65535, got "eighty"'],
    [{ PORT: '70000' }, 'PORT must be a whole number'],
    [{ AUTH_ADAPTER: 'keycloak' }, 'AUTH_ADAPTER must be one of'],
    [{ AUTH_ADAPTER: 'dot' }, 'AUTH_ADAPTER=dot needs AUTH_SERVER_URL, AUTH_CLIENT_ID, AUTH_CLIENT_SECRET'],
    [{ AUTH_ADAPTER: 'oauth2', AUTH_SERVER_URL: 'https://as.example.com' }, 'AUTH_ADAPTER=oauth2 needs AUTH_CLIENT_ID, AUTH_CLIENT_SECRET'],
    [{ AUTH_ADAPTER: 'jwt' }, 'AUTH_ADAPTER=jwt needs AUTH_SERVER_URL, AUTH_AUDIENCE'],
    [{ AUTH_ADAPTER: 'jwt', AUTH_SERVER_URL: 'https://as.example.com', AUTH_AUDIENCE: 'x', AUTH_CLIENT_ID: 'gh' }, 'AUTH_CLIENT_ID and AUTH_CLIENT_SECRET go together'],
    [{ AUTH_ADAPTER: 'oauth2', AUTH_SERVER_URL: 'https://as', AUTH_CLIENT_ID: 'a', AUTH_CLIENT_SECRET: 'b', AUTH_CLIENT_AUTH_METHOD: 'private_key_jwt' }, 'AUTH_CLIENT_AUTH_METHOD must be one of client_secret_basic, client_secret_post'],
    [{ AUTH_ADAPTER: 'jwt', AUTH_SERVER_URL: 'https://as', AUTH_AUDIENCE: 'x', AUTH_CLOCK_SKEW_SECONDS: '1h' }, 'AUTH_CLOCK_SKEW_SECONDS must be a whole number'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL must be one of'],
    [{ INTROSPECTION_CACHE_TTL: '-1' }, 'INTROSPECTION_CACHE_TTL must be a whole number'],
    [{ CORS_ORIGINS: 'https://app.example.com/' }, 'CORS_ORIGINS must list origins'],
    [{ DOCS_ENABLED: 'yes' }, 'DOCS_ENABLED must be one of true, false'],
  ] as const) {
    it(`refuses ${JSON.stringify(env)} with a message naming the variable`, () => {
      expect(() => loadConfig(env)).to.throw(ConfigError, message);
    });
  }

  it('reads the oauth2 and jwt settings with their defaults', () => {
    const server = { AUTH_SERVER_URL: 'https://as.example.com', AUTH_CLIENT_ID: 'gatehouse', AUTH_CLIENT_SECRET: 's3cret' };
    expect(loadConfig({ AUTH_ADAPTER: 'oauth2', ...server }).auth).to.deep.equal({
      adapter: 'oauth2', url: 'https://as.example.com', timeoutMs: 3000, client: { id: 'gatehouse', secret: 's3cret', method: 'client_secret_basic' },
    });
    const jwt = loadConfig({ AUTH_ADAPTER: 'jwt', AUTH_SERVER_URL: 'https://as.example.com', AUTH_AUDIENCE: 'https://api.example.com/' });
    expect(jwt.auth).to.deep.equal({ adapter: 'jwt', url: 'https://as.example.com', timeoutMs: 3000, audience: 'https://api.example.com/', clockSkewSeconds: 30 });
    expect(loadConfig({ AUTH_ADAPTER: 'dot', ...server, AUTH_TIMEOUT_MS: '1500' }).auth).to.deep.equal({
      adapter: 'dot', url: 'https://as.example.com', timeoutMs: 1500, clientId: 'gatehouse', clientSecret: 's3cret',
    });
  });

  it('never echoes a database URL, which usually carries a password', () => {
    expect(() => loadConfig({ DATABASE_URL: 'mysql://root:hunter22@db/x' })).to.throw(ConfigError).that.satisfies(
      (err: Error) => !err.message.includes('hunter22'));
  });

  it('runs one process by default, N or one per core with WORKERS, and asks for DATABASE_URL when more than one', () => {
    const url = { DATABASE_URL: 'postgres://127.0.0.1/gatehouse' };
    expect(loadConfig({}).workers).to.equal(1);
    expect(loadConfig({ ...url, WORKERS: '3' }).workers).to.equal(3);
    expect(loadConfig({ ...url, WORKERS: 'auto' }).workers).to.be.at.least(1);
    expect(() => loadConfig({ WORKERS: '2' })).to.throw(ConfigError, 'WORKERS=2 needs DATABASE_URL');
    expect(() => loadConfig({ WORKERS: '0' })).to.throw(ConfigError, 'WORKERS');
    expect(loadConfig({ METRICS_ENABLED: 'false' }).metricsEnabled).to.equal(false);
  });
});
