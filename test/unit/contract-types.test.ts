import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { loadOpenApiDocument } from '../../src/adapters/http/contract/openapi-document.js';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');

/**
 * The design card's promise, at compile time: the server's code is typed by openapi.yaml, so a
 * field renamed there (in a request or in a response) and regenerated fails `tsc` in src/, not
 * only in a client. Each case runs on a copy of src/ and the document, never on the tree itself.
 */
describe('src/ is typed by openapi.yaml', function () {
  this.timeout(180_000);
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gatehouse-contract-types-'));
    await cp(join(ROOT, 'src'), join(dir, 'src'), { recursive: true });
    for (const file of ['openapi.yaml', 'tsconfig.json', 'tsconfig.build.json', 'package.json']) await cp(join(ROOT, file), join(dir, file));
    await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  });
  after(async () => { await rm(dir, { recursive: true, force: true }); });

  /** Regenerates the types from the (edited) document and type-checks src/; resolves with tsc's output, '' when clean. */
  async function typecheckWith(edit?: (yaml: string) => string): Promise<string> {
    const original = await readFile(join(ROOT, 'openapi.yaml'), 'utf8');
    const edited = edit ? edit(original) : original;
    if (edit) expect(edited, 'the edit matched nothing: the test would prove nothing').to.not.equal(original);
    await writeFile(join(dir, 'openapi.yaml'), edited);
    await run(join(dir, 'node_modules/.bin/openapi-typescript'), ['openapi.yaml', '-o', 'src/generated/openapi.ts'], { cwd: dir });
    try {
      await run(join(dir, 'node_modules/.bin/tsc'), ['--noEmit', '-p', 'tsconfig.build.json'], { cwd: dir });
      return '';
    } catch (err) {
      return String((err as { stdout?: string }).stdout);
    }
  }

  it('type-checks as the document stands (so the failures below are the renames\', not the copy\'s)', async () => {
    expect(await typecheckWith()).to.equal('');
  });

  it('fails when a response property is renamed (Item.price → Item.prize)', async () => {
    const out = await typecheckWith((yaml) => yaml.replace(
      /(\n {4}Item:\n(?: {6}.*\n)*? {6}required: \[id, name, description, )price(, user\]\n(?: {6}.*\n| {8}.*\n)*? {8})price:/,
      '$1prize$2prize:'));
    expect(out).to.match(/src\/adapters\/http\/answers\/wire\.ts.*(prize|'price')/);
  });

  it('fails when a request property is renamed (TokenRequest.email → TokenRequest.login)', async () => {
    const out = await typecheckWith((yaml) => yaml.replace(
      /(\n {4}TokenRequest:\n {6}type: object\n {6}required: \[)email(, password\]\n(?: {6}.*\n)*? {8})email:/,
      '$1login$2login:'));
    expect(out).to.match(/src\/adapters\/http\/routes\/users\.ts/);
  });

  it('fails when a handler\'s documented success status changes (deleteItem 204 → 200)', async () => {
    const out = await typecheckWith((yaml) => yaml.replace(/(operationId: deleteItem\n(?:.*\n)*? {8})'204':/, "$1'200':"));
    expect(out).to.match(/src\/adapters\/http\/routes\/items\.ts/);
  });

  it('keeps a default in the document for each query parameter the handlers rely on being filled in', () => {
    const list = loadOpenApiDocument().json.paths['/items/'].get;
    const withDefault = (list.parameters as Record<string, any>[]).filter((p) => p.schema?.default !== undefined).map((p) => p.name);
    expect(withDefault).to.include.members(['limit', 'ordering']); // ListItemsQuery in contract/operations.ts
  });
});
