import { expect } from 'chai';
import { ApiClient } from '../support/api-client.js';
import { requireService } from '../support/availability.js';
import { dotPeerAvailable } from '../support/dot-peer.js';
import { startTestGatehouse, type GatehouseUnderTest, type Mode } from '../support/gatehouse.js';
import { postgresAvailable } from '../support/postgres.js';
import { itemEndpointsSuite } from './items-suite.js';
import { metaEndpointsSuite } from './meta-suite.js';
import { userEndpointsSuite } from './users-suite.js';

const MODES: { title: string; mode: Mode }[] = [
  { title: 'embedded PostgreSQL, embedded auth server', mode: { database: 'embedded', auth: 'embedded' } },
  { title: 'machine PostgreSQL, embedded auth server', mode: { database: 'postgres', auth: 'embedded' } },
  { title: 'machine PostgreSQL, Django OAuth Toolkit', mode: { database: 'postgres', auth: 'dot' } },
];

for (const { title, mode } of MODES) {
  describe(`HTTP API (${title})`, function () {
    this.timeout(120_000);
    let server: GatehouseUnderTest;
    let client: ApiClient;

    before(async function () {
      if (mode.database === 'postgres') requireService(this, await postgresAvailable(), 'PostgreSQL on 127.0.0.1:5432');
      if (mode.auth === 'dot') requireService(this, dotPeerAvailable(), 'the Django OAuth Toolkit peer');
      server = await startTestGatehouse(mode);
      client = new ApiClient(server.url);
    });
    after(async () => { await server?.close(); });

    userEndpointsSuite(() => client);
    itemEndpointsSuite(() => client);
    metaEndpointsSuite(() => client, () => server.dot?.url);

    // In a describe of its own: mocha runs a suite's own tests before its child suites, and this looks back at them all.
    describe('afterwards', () => it('wrote no password, token or client secret into its logs during the whole run above', () => {
      const logs = server.logs.join('\n');
      expect(logs).to.include('"path":"/users/token/"'); // the run was logged at all
      const secrets = [...client.secrets, ...(server.dot ? [server.dot.clientSecret] : [])];
      expect(secrets.length).to.be.greaterThan(20);
      expect(secrets.filter((secret) => logs.includes(secret))).to.deep.equal([]);
    }));
  });
}
