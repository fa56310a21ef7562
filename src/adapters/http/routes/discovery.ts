import { NotFound } from '../../../domain/errors.js';
import type { Route } from '../contract/route.js';
import type { Ctx, RouteDeps } from '../state.js';
import { AUTHORIZATION_SERVER_METADATA_PATH, authorizationServerMetadata, wellKnownPaths } from '../answers/authorization-server-metadata.js';
import { protectedResourceMetadata, RESOURCE_METADATA_PATH } from '../answers/resource-metadata.js';

export interface DiscoveryOptions {
  /** The authorization server's issuer (AUTH_SERVER_URL); absent with the embedded one, which is this server. */
  authorizationServer?: string | undefined;
}

/**
 * Metadata where standard clients look for it. RFC 8414 metadata of the embedded authorization
 * server, so a client that found it through the resource metadata (RFC 9728) discovers its
 * endpoints too; not registered in front of another server (a 404 like any unknown path): that one
 * publishes its own. And both documents at their path-inserted well-known URLs (RFC 8414 §3, RFC
 * 9728 §3.1), which is where clients ask when PUBLIC_URL has a path. (The resource metadata at its
 * plain path is among the meta routes.)
 */
export function discoveryRoutes(route: Route, { publicUrl, dpop }: RouteDeps, { authorizationServer }: DiscoveryOptions): void {
  const resource = protectedResourceMetadata(publicUrl, authorizationServer, dpop.settings);
  const [, resourceAt] = wellKnownPaths(RESOURCE_METADATA_PATH, publicUrl);
  route('getProtectedResourceMetadataUnderPath', async ({ ctx }) => ({ status: 200, body: only(ctx, resourceAt, resource) }), atAlso(resourceAt));
  if (authorizationServer !== undefined) return;

  const server = authorizationServerMetadata(publicUrl, dpop.settings);
  const [, serverAt] = wellKnownPaths(AUTHORIZATION_SERVER_METADATA_PATH, publicUrl);
  route('getAuthorizationServerMetadata', async () => ({ status: 200, body: server }));
  route('getAuthorizationServerMetadataUnderPath', async ({ ctx }) => ({ status: 200, body: only(ctx, serverAt, server) }), atAlso(serverAt));
}

/** The document at exactly PUBLIC_URL's inserted path: another path names another issuer or resource. */
function only<T>(ctx: Ctx, path: string | undefined, body: T): T {
  if (ctx.path !== path) throw new NotFound('metadata', 'at this path');
  return body;
}

/** A PUBLIC_URL path of several segments (`/a/b`) is not one `{issuerPath}`: registered as written too. */
const atAlso = (path: string | undefined) => (path ? { alsoAt: [path] } : {});
