import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { startTestGatehouse, type GatehouseUnderTest } from '../support/gatehouse.js';
import { recipeSteps } from '../support/readme-recipes.js';

const run = promisify(execFile);
const README_URL = 'http://127.0.0.1:8001';

/**
 * The README's TypeScript client, as a newcomer follows it: a fresh directory, the commands and
 * files exactly as written (only the server's address and npm's cache flags differ), against a
 * live server. npm installs from the registry, preferring the cache `npm ci` filled.
 */
describe('the README\'s TypeScript client recipe', function () {
  this.timeout(90_000);
  let server: GatehouseUnderTest;
  let dir: string;
  // Nothing of this repository's: not its node_modules/.bin on PATH, nor the npm_* settings of `npm test`.
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
  env.PATH = (process.env.PATH ?? '').split(delimiter).filter((p) => !resolve(p).startsWith(resolve('node_modules'))).join(delimiter);
  const sh = (script: string) => run('sh', ['-ec', script], { cwd: dir, env, maxBuffer: 16 * 1024 * 1024 });
  const typecheck = () => sh('npx tsc').then(() => '', (err) => String(err.stdout) || String(err));

  before(async () => {
    server = await startTestGatehouse({ database: 'embedded', auth: 'embedded' });
    dir = await mkdtemp(join(tmpdir(), 'gatehouse-readme-'));
  });
  after(async () => {
    await server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('type-checks and runs, from an empty directory: signs up, gets a token, creates and lists an item', async () => {
    const steps = recipeSteps(await readFile('README.md', 'utf8'), 'typescript-client');
    expect(steps.map((s) => s.name)).to.deep.equal(['sh', 'tsconfig.json', 'main.ts', 'sh']);
    let output = '';
    for (const step of steps) {
      const text = step.text.replaceAll(README_URL, server.url);
      if (step.kind === 'file') await writeFile(join(dir, step.name), text);
      else output = (await sh(text.replace(/^npm install /gm, 'npm install --prefer-offline --no-audit --no-fund '))).stdout;
    }
    const lines = output.trim().split('\n');
    expect(lines[0]).to.match(/^created item \d+, "lamp-\d+" at 12\.50$/);
    expect(lines[1]).to.match(/^newcomer-\d+@example\.com has 1 item\(s\)$/);
    expect(lines).to.have.length(2);
  });

  it('makes an extra field a compile error with `satisfies`, and only then, as the README says', async () => {
    const main = await readFile(join(dir, 'main.ts'), 'utf8');
    const withColour = main.replace("price: '12.50' }", "price: '12.50', colour: 'green' }");
    expect(withColour).not.to.equal(main);
    await writeFile(join(dir, 'main.ts'), withColour);
    expect(await typecheck()).to.match(/main\.ts.*'colour' does not exist in type/);
    await writeFile(join(dir, 'main.ts'), withColour.replace(/ satisfies components\['schemas'\]\['ItemInput'\]/, ''));
    expect(await typecheck()).to.equal('');
    await writeFile(join(dir, 'main.ts'), main.replace("price: '12.50' }", "prize: '12.50' }"));
    expect(await typecheck()).to.match(/main\.ts.*'prize' does not exist/);
  });
});
