import v8 from 'node:v8';

/**
 * V8 flags for a server whose garbage is per request: set by main() before anything is served.
 *
 * `--no-allocation-site-pretenuring`: V8 allocates straight into the old generation the objects of
 * any allocation site whose objects mostly survived a young-generation collection. Under 32
 * concurrent requests, sites that build a request's objects qualify (a collection often finds the
 * objects of requests still in flight alive), after which every request's objects from them land in
 * old space, dead a few milliseconds later but kept until the next full collection. Resident memory
 * after `npm run bench` was then 157 and 190 MB in two runs (old space 60–68 MB used, 25–28 MB of it
 * live), and 134 MB with the flag, for the same CPU per request (docs/performance.md, Memory).
 */
export const HEAP_FLAGS = ['--no-allocation-site-pretenuring'] as const;

export function applyHeapPolicy(setFlags: (flags: string) => void = v8.setFlagsFromString): void {
  for (const flag of HEAP_FLAGS) setFlags(flag);
}
