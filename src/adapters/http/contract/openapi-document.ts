import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Document } from 'yaml';
import { parsedDocumentCache, type ParsedDocumentCache } from './parsed-document-cache.js';

export interface OpenApiDocument {
  /** The file as written, served at /openapi.yaml. */
  yaml: string;
  json: Record<string, any>;
  /** The file as YAML with other `servers` (and other values at `edits`' paths), comments kept. */
  yamlWithServers(servers: { url: string; description: string }[], edits?: [path: string[], value: unknown][]): string;
}

/**
 * Reads openapi.yaml; call it once at start-up. The JSON form comes from the cache of the last
 * parse of these very bytes when there is one: parsing the YAML took 135–180 ms, the largest single
 * part of a restart, and reading the cached JSON 2–4 ms. The YAML tree (comments kept) is parsed
 * only when a YAML copy is first asked for.
 */
export function loadOpenApiDocument(file: string = join(projectRoot(), 'openapi.yaml'), cache: ParsedDocumentCache = parsedDocumentCache(projectRoot())): OpenApiDocument {
  const yaml = readFileSync(file, 'utf8');
  let parsed: { tree: Document; json: Record<string, any> } | undefined;
  const parse = () => {
    if (parsed) return parsed;
    const tree = yamlLibrary().parseDocument(yaml);
    const json: unknown = tree.toJS();
    if (tree.errors.length || typeof json !== 'object' || json === null || Array.isArray(json)) {
      throw new Error(`${file} is not an OpenAPI document${tree.errors[0] ? `: ${tree.errors[0].message}` : ''}`);
    }
    return (parsed = { tree, json: json as Record<string, any> });
  };
  let json = cache.read(yaml);
  if (!json) {
    json = parse().json;
    cache.write(yaml, json);
  }
  return {
    yaml,
    json,
    yamlWithServers(servers, edits = []) {
      const copy = parse().tree.clone();
      copy.set('servers', copy.createNode(servers));
      for (const [path, value] of edits) copy.setIn(path, value);
      return copy.toString({ lineWidth: 0 });
    },
  };
}

/** Loaded when first needed: with the JSON cached, a start never loads the YAML library at all. */
const yamlLibrary = (): typeof import('yaml') => createRequire(import.meta.url)('yaml');

/**
 * This module runs from src/adapters/http/ under tsx and from dist/src/adapters/http/ when built;
 * openapi.yaml is required too because a build may copy package.json into dist/.
 */
function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!(existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'openapi.yaml')))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no project root with openapi.yaml above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
  return dir;
}
