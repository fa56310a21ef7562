import { SCOPES } from '../../../domain/scopes.js';

/** RFC 9728 §3: where a protected resource publishes its metadata. */
export const RESOURCE_METADATA_PATH = '/.well-known/oauth-protected-resource';

export const metadataUrlOf = (baseUrl: string) => `${baseUrl}${RESOURCE_METADATA_PATH}`;

/**
 * RFC 9728 §2, the fields a client needs to find the authorization server and the docs, and
 * (RFC 9449 §5.1) which DPoP proofs this resource accepts and whether it insists on them.
 */
export function protectedResourceMetadata(
  baseUrl: string, authorizationServer: string | undefined, dpop: { algorithms: readonly string[]; required: boolean },
) {
  return {
    resource: baseUrl,
    authorization_servers: [authorizationServer ?? baseUrl], // none configured: the embedded one, at this server
    scopes_supported: [...SCOPES],
    bearer_methods_supported: ['header'] as 'header'[],
    resource_documentation: `${baseUrl}/docs`,
    dpop_signing_alg_values_supported: [...dpop.algorithms],
    dpop_bound_access_tokens_required: dpop.required,
  };
}
