import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { hash } from 'node:crypto';
import { join } from 'node:path';

/** The JSON of a parsed YAML file, kept by the SHA-256 of the file's text: an edited file is never served from it. */
export interface ParsedDocumentCache {
  read(text: string): Record<string, any> | undefined;
  write(text: string, json: Record<string, any>): void;
}

/**
 * In `node_modules/.cache/gatehouse/`, where build tools keep theirs (git ignores node_modules, and
 * a fresh install starts empty). Best effort both ways: a cache that cannot be read or written (a
 * read-only image, a half-written file from a crash) only means the YAML is parsed again.
 */
export function parsedDocumentCache(projectRoot: string, dir = join(projectRoot, 'node_modules', '.cache', 'gatehouse')): ParsedDocumentCache {
  const fileFor = (text: string) => join(dir, `openapi-${hash('sha256', text, 'hex').slice(0, 32)}.json`);
  return {
    read(text) {
      try {
        const json: unknown = JSON.parse(readFileSync(fileFor(text), 'utf8'));
        return typeof json === 'object' && json !== null && !Array.isArray(json) ? json as Record<string, any> : undefined;
      } catch {
        return undefined; // none yet, or unreadable: parse the YAML
      }
    },
    write(text, json) {
      try {
        mkdirSync(dir, { recursive: true });
        const file = fileFor(text);
        const partial = `${file}.${process.pid}.tmp`;
        writeFileSync(partial, JSON.stringify(json));
        renameSync(partial, file); // whole or absent: another process never reads half a file
      } catch {
        // read-only or full: the next start parses the YAML again, which is all a cache miss costs
      }
    },
  };
}
