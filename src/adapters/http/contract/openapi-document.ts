import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export interface OpenApiDocument {
  /** The file as written, served at /openapi.yaml. */
  yaml: string;
  json: Record<string, any>;
}

/** Reads and parses openapi.yaml; call it once at start-up. */
export function loadOpenApiDocument(file: string = join(projectRoot(), 'openapi.yaml')): OpenApiDocument {
  const yaml = readFileSync(file, 'utf8');
  const json: unknown = parse(yaml);
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new Error(`${file} is not an OpenAPI document`);
  }
  return { yaml, json: json as Record<string, any> };
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
