import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { loadOpenApiDocument } from '../../src/adapters/http/contract/openapi-document.js';

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []);
}

describe('every operation of openapi.yaml is registered through route()', () => {
  const operationIds = Object.values(loadOpenApiDocument().json.paths as Record<string, Record<string, { operationId?: string }>>)
    .flatMap((item) => Object.values(item).map((op) => op?.operationId).filter((id): id is string => typeof id === 'string'));
  const routed = new Set(filesUnder('src/adapters/http').flatMap((f) =>
    [...readFileSync(f, 'utf8').matchAll(/\broute\(\s*'(\w+)'/g)].map((m) => m[1]!)));

  it('finds a route() call for each operationId', () => {
    expect(operationIds.filter((id) => !routed.has(id))).to.deep.equal([]);
  });

  it('registers nothing with a plain router call: every path served is an operation of the document', () => {
    const plain = filesUnder('src/adapters/http').flatMap((f) =>
      [...readFileSync(f, 'utf8').matchAll(/\brouter\.(get|put|post|delete|patch|all)\(/g)].map((m) => `${f}: router.${m[1]}`));
    expect(plain).to.deep.equal([]);
  });
});
