import { expect } from 'chai';
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOpenApiDocument } from '../../src/adapters/http/contract/openapi-document.js';
import { parsedDocumentCache } from '../../src/adapters/http/contract/parsed-document-cache.js';

describe('openapi.yaml, parsed once and cached by its bytes', () => {
  let dir: string;
  let file: string;
  let cacheDir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-openapi-'));
    file = join(dir, 'openapi.yaml');
    cacheDir = join(dir, 'cache');
    copyFileSync('openapi.yaml', file);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const load = () => loadOpenApiDocument(file, parsedDocumentCache(dir, cacheDir));

  it('answers from the cache what the parse answered, and the same YAML copies', () => {
    const parsed = load();
    expect(readdirSync(cacheDir)).to.have.length(1);
    const cached = load();
    expect(cached.json).to.deep.equal(parsed.json);
    const servers = [{ url: 'https://api.example.com', description: 'here' }];
    expect(cached.yamlWithServers(servers)).to.equal(parsed.yamlWithServers(servers)).and.include('https://api.example.com');
  });

  it('parses an edited file again rather than answer the old one', () => {
    load();
    appendFileSync(file, '\nx-edited: yes\n');
    expect(load().json['x-edited']).to.equal('yes');
    expect(readdirSync(cacheDir)).to.have.length(2);
  });

  it('parses the YAML when the cached JSON is damaged, and mends the cache', () => {
    const parsed = load();
    const [entry] = readdirSync(cacheDir);
    writeFileSync(join(cacheDir, entry!), '{"openapi": "3.1'); // half-written
    expect(load().json).to.deep.equal(parsed.json);
    expect(load().json).to.deep.equal(parsed.json);
  });

  it('starts when the cache cannot be written (a read-only image)', () => {
    writeFileSync(cacheDir, 'a file where the folder should be');
    expect(load().json.openapi).to.equal('3.1.0');
  });

  it('still refuses a file that is not an OpenAPI document', () => {
    writeFileSync(file, '- a list\n- not a document\n');
    expect(() => load()).to.throw(/is not an OpenAPI document/);
  });
});
