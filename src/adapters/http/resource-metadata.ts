import type { Ctx } from './context.js';

/** RFC 9728 §3: where a protected resource publishes its metadata. */
export const RESOURCE_METADATA_PATH = '/.well-known/oauth-protected-resource';

export const metadataUrlOf = (baseUrl: string) => `${baseUrl}${RESOURCE_METADATA_PATH}`;

/** RFC 9728 §2, the fields a client needs to find the authorization server and the docs. */
export function protectedResourceMetadata(baseUrl: string, authorizationServer: string | undefined) {
  return {
    resource: baseUrl,
    authorization_servers: [authorizationServer ?? baseUrl], // none configured: the embedded one, at this server
    scopes_supported: ['read', 'write'],
    bearer_methods_supported: ['header'],
    resource_documentation: `${baseUrl}/docs`,
  };
}

const HOST = /^(?:[a-z0-9.-]+|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

/**
 * This server's URL as the client reached it: the protocol and the Host header (Koa 3's
 * `ctx.origin` is the Origin header, not this). A Host that is not a host name falls back to the
 * address the connection came in on, so nothing a client sends can forge a quoted header value.
 */
export function baseUrlOf(ctx: Pick<Ctx, 'protocol' | 'host' | 'req'>): string {
  if (HOST.test(ctx.host)) return `${ctx.protocol}://${ctx.host.toLowerCase()}`;
  const { localAddress = '127.0.0.1', localPort } = ctx.req.socket;
  const address = localAddress.includes(':') ? `[${localAddress}]` : localAddress;
  return `${ctx.protocol}://${address}:${localPort}`;
}
