import { SCOPES } from '../../../domain/scopes.js';

/** RFC 9728 §3: where a protected resource publishes its metadata. */
export const RESOURCE_METADATA_PATH = '/.well-known/oauth-protected-resource';

export const metadataUrlOf = (baseUrl: string) => `${baseUrl}${RESOURCE_METADATA_PATH}`;

/** RFC 9728 §2, the fields a client needs to find the authorization server and the docs. */
export function protectedResourceMetadata(baseUrl: string, authorizationServer: string | undefined) {
  return {
    resource: baseUrl,
    authorization_servers: [authorizationServer ?? baseUrl], // none configured: the embedded one, at this server
    scopes_supported: [...SCOPES],
    bearer_methods_supported: ['header'],
    resource_documentation: `${baseUrl}/docs`,
  };
}
