import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { ApiClient } from '../support/api-client.js';
import { startTestGatehouse, type GatehouseUnderTest } from '../support/gatehouse.js';

const run = promisify(execFile);
const EXAMPLE = 'examples/client';
const bin = (name: string) => join('node_modules', '.bin', name);

/** The consumer's side of the contract: types generated afresh from openapi.yaml, checked and run. */
describe('the example TypeScript client (examples/client)', function () {
  this.timeout(120_000);

  const generate = (spec: string) => run(bin('openapi-typescript'), [spec, '-o', `${EXAMPLE}/generated/openapi.ts`]);
  const typecheck = () => run(bin('tsc'), ['--noEmit', '-p', EXAMPLE]).then(() => '', (err) => String(err.stdout) || String(err));

  it('stops type-checking when the spec renames a field the example uses', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gatehouse-spec-'));
    try {
      const spec = await readFile('openapi.yaml', 'utf8');
      const renamed = spec.replace(/^(\s+)access_token:$/m, '$1accessToken:').replace('required: [access_token,', 'required: [accessToken,');
      expect(renamed).not.to.equal(spec);
      await writeFile(join(dir, 'openapi.yaml'), renamed);
      await generate(join(dir, 'openapi.yaml'));
      expect(await typecheck()).to.match(/main\.ts.*Property 'access_token' does not exist/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  describe('against a live server', () => {
    let server: GatehouseUnderTest;
    before(async () => { server = await startTestGatehouse({ database: 'embedded', auth: 'embedded' }); });
    after(async () => { await server?.close(); });

    it('type-checks against types generated afresh from openapi.yaml, then signs up, creates and lists an item', async () => {
      await generate('openapi.yaml');
      expect(await typecheck()).to.equal('');
      const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', `${EXAMPLE}/main.ts`, server.url]);
      expect(stderr).to.equal('');
      const lines = stdout.trim().split('\n');
      expect(lines[0]).to.match(/^signed up example-\d+@example\.com as user \d+$/);
      expect(lines[1]).to.match(/^got a Bearer token for "read write", valid \d+ s$/);
      const [, id, name] = /^created item (\d+) "(example-lamp-\d+)" at 12\.50, owned by example-\d+@example\.com$/.exec(lines[2] ?? '') ?? [];
      expect(name, stdout).to.be.a('string');
      expect(lines.slice(3)).to.deep.equal(['listed 1 item(s) of mine:', `  ${id} ${name} 12.50`]);
      // The item is really there, as the API (checked against the contract) sees it.
      const reader = await new ApiClient(server.url).newUser('example-reader');
      const item = await new ApiClient(server.url).get(`/items/${id}/`, { token: reader.token });
      expect(item.body).to.include({ name, price: '12.50' });
    });
  });
});
