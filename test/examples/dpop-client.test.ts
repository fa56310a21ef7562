import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { expect } from 'chai';
import pg from 'pg';
import { requireService } from '../support/availability.js';
import { startTestGatehouse, type GatehouseUnderTest } from '../support/gatehouse.js';
import { postgresAvailable } from '../support/postgres.js';

const run = promisify(execFile);
const EXAMPLE = 'examples/dpop-client';
const LAST_LINES = [
  'GET /items/: 200, 1 item(s)',
  'refreshed: token_type dpop, a new access token: true',
  'GET /items/ with it: 200',
  'signed out: refresh token revoked',
  'GET /items/ after sign-out: 401 invalid_token',
];

/** The DPoP example of docs/dpop.md, type-checked and run as written against a server that asks for nonces. */
describe('the DPoP client example (examples/dpop-client)', function () {
  this.timeout(120_000);
  let server: GatehouseUnderTest;

  before(async function () {
    requireService(this, await postgresAvailable(), 'PostgreSQL on 127.0.0.1:5432');
    server = await startTestGatehouse({ database: 'postgres', auth: 'embedded', env: { DPOP_NONCE: 'true' } });
  });
  after(async () => { await server?.close(); });

  it('is shown in docs/dpop.md as it is run here, with the output it prints', async () => {
    const page = await readFile('docs/dpop.md', 'utf8');
    expect(page).to.include(`npx tsx ${EXAMPLE}/main.ts http://127.0.0.1:8001`);
    expect(page).to.include(LAST_LINES.join('\n'));
  });

  it('type-checks', async () => {
    const { stdout } = await run('node_modules/.bin/tsc', ['--noEmit', '-p', EXAMPLE]).catch((err) => err);
    expect(stdout).to.equal('');
  });

  it('discovers from the resource URL, signs in with a DPoP key after a nonce, uses /items/, refreshes and signs out', async () => {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', `${EXAMPLE}/main.ts`, server.url]);
    expect(stderr).to.equal('');
    const lines = stdout.trim().split('\n');
    const [, email] = /^signed up (dpop-example-\d+@example\.com)$/.exec(lines[0] ?? '') ?? [];
    expect(email, stdout).to.be.a('string');
    expect(lines[1]).to.equal(`discovered ${server.url}/: token endpoint ${server.url}/users/token/, revocation endpoint ${server.url}/users/token/revoke/`);
    const [, jkt] = /^signed in: token_type dpop, bound to key ([\w-]{43}), 1 nonce retry\(ies\)$/.exec(lines[2] ?? '') ?? [];
    expect(jkt, stdout).to.be.a('string');
    expect(lines[3]).to.match(/^POST \/items\/: 201, item \d+ "dpop-lamp-\d+"$/);
    expect(lines.slice(4)).to.deep.equal(LAST_LINES);
    // Both pairs the account got were bound to the example's key, and both are revoked now.
    const db = new pg.Client({ connectionString: server.databaseUrl });
    await db.connect();
    try {
      const { rows } = await db.query(`select t.jkt, t.revoked_at is not null as revoked from embedded_auth_tokens t
        join embedded_auth_accounts a on a.id = t.account_id where a.email = $1`, [email]);
      expect(rows).to.deep.equal([{ jkt, revoked: true }, { jkt, revoked: true }]);
    } finally {
      await db.end();
    }
  });
});
