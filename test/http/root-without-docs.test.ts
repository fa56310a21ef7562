import { expect } from 'chai';
import { ApiClient } from '../support/api-client.js';
import { startTestGatehouse, type GatehouseUnderTest } from '../support/gatehouse.js';

// With docs on, / redirects to /docs (test/http/meta-suite.ts). Off, it must not point at a page that 404s.
// (It could join the "Swagger UI turned off" server in hardening.test.ts and save a start.)
describe('GET / with DOCS_ENABLED=false', function () {
  this.timeout(60_000);
  let server: GatehouseUnderTest;
  before(async () => { server = await startTestGatehouse({ database: 'embedded', auth: 'embedded', env: { DOCS_ENABLED: 'false' } }); });
  after(async () => { await server?.close(); });

  it('is a 404 problem, not a redirect to docs that are not there', async () => {
    const res = await new ApiClient(server.url).get('/'); // checked against openapi.yaml's 404 for getRoot
    expect(res.status).to.equal(404);
    expect(res.headers.get('content-type')).to.match(/^application\/problem\+json/);
    expect(res.headers.get('location')).to.equal(null);
  });
});
