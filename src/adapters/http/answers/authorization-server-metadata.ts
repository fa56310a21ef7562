import { SCOPES } from '../../../domain/scopes.js';

/** RFC 8414 §3: where an authorization server publishes its metadata. */
export const AUTHORIZATION_SERVER_METADATA_PATH = '/.well-known/oauth-authorization-server';

/**
 * The paths a well-known document of an issuer (or resource) at `baseUrl` is asked for, as
 * Gatehouse sees them behind a proxy that strips PUBLIC_URL's path: RFC 8414 §3 (and RFC 9728
 * §3.1) insert the well-known name between host and path, so an issuer `https://host/gh` is asked
 * at `/.well-known/…/gh`; a proxy that forwards that path as is reaches the second form.
 */
export function wellKnownPaths(wellKnown: string, baseUrl: string): string[] {
  const path = new URL(baseUrl).pathname.replace(/\/+$/, '');
  return path === '' ? [wellKnown] : [wellKnown, `${wellKnown}${path}`];
}

/**
 * RFC 8414 §2 metadata of the embedded authorization server, whose issuer is PUBLIC_URL (what the
 * resource metadata names): one token endpoint for both grants, public clients (`none`), DPoP,
 * and revocation. No authorization endpoint, so no response types.
 */
export function authorizationServerMetadata(baseUrl: string, dpop: { algorithms: readonly string[] }) {
  return {
    issuer: baseUrl,
    token_endpoint: `${baseUrl}/users/token/`,
    revocation_endpoint: `${baseUrl}/users/token/revoke/`,
    grant_types_supported: ['password', 'refresh_token'] as ('password' | 'refresh_token')[],
    response_types_supported: [] as never[],
    token_endpoint_auth_methods_supported: ['none'] as 'none'[],
    revocation_endpoint_auth_methods_supported: ['none'] as 'none'[],
    scopes_supported: [...SCOPES],
    dpop_signing_alg_values_supported: [...dpop.algorithms],
    service_documentation: `${baseUrl}/docs`,
  };
}
