/**
 * PUBLIC_URL's path (`/gh` for `https://example.com/gh`, '' without one): a proxy that serves
 * Gatehouse under it strips it before forwarding, so Gatehouse's routes never see it, but every URL
 * Gatehouse writes for a browser or a client to follow must carry it.
 */
export function pathPrefixOf(publicUrl: string): string {
  return new URL(publicUrl).pathname.replace(/\/+$/, '');
}

/** Where the document's OAuth 2 password flow names its endpoints, and the paths they are under the prefix. */
const FLOW = ['components', 'securitySchemes', 'oauth2', 'flows', 'password'];

/**
 * The document's edits for a prefix: its `tokenUrl` and `refreshUrl` are absolute paths, which a
 * client resolves against the server's origin (losing the prefix), so they get the prefix in front.
 * None without a prefix.
 */
export function prefixedFlowUrls(document: Record<string, any>, prefix: string): [string[], string][] {
  if (prefix === '') return [];
  const flow = FLOW.reduce<any>((at, key) => at?.[key], document) ?? {};
  return (['tokenUrl', 'refreshUrl'] as const)
    .filter((field) => typeof flow[field] === 'string' && flow[field].startsWith('/'))
    .map((field) => [[...FLOW, field], `${prefix}${flow[field]}`]);
}

/** A deep copy of `document` with `edits` applied. */
export function withEdits(document: Record<string, any>, edits: [string[], unknown][]): Record<string, any> {
  const copy = structuredClone(document);
  for (const [path, value] of edits) {
    const parent = path.slice(0, -1).reduce<any>((at, key) => at[key], copy);
    parent[path[path.length - 1]!] = value;
  }
  return copy;
}
