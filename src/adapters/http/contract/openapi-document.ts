import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';

export interface OpenApiDocument {
  /** The file as written, served at /openapi.yaml. */
  yaml: string;
  json: Record<string, any>;
  /** The file as YAML with other `servers` (and other values at `edits`' paths), comments kept, from the one parse made at load. */
  yamlWithServers(servers: { url: string; description: string }[], edits?: [path: string[], value: unknown][]): string;
}

/** Reads and parses openapi.yaml; call it once at start-up. */
export function loadOpenApiDocument(file: string = join(projectRoot(), 'openapi.yaml')): OpenApiDocument {
  const yaml = readFileSync(file, 'utf8');
  const parsed = parseDocument(yaml); // once: parsing the file is a quarter of start-up's CPU
  const json: unknown = parsed.toJS();
  if (parsed.errors.length || typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new Error(`${file} is not an OpenAPI document${parsed.errors[0] ? `: ${parsed.errors[0].message}` : ''}`);
  }
  return {
    yaml,
    json: json as Record<string, any>,
    yamlWithServers(servers, edits = []) {
      const copy = parsed.clone();
      copy.set('servers', copy.createNode(servers));
      for (const [path, value] of edits) copy.setIn(path, value);
      return copy.toString({ lineWidth: 0 });
    },
  };
}

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
