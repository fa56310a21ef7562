import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { NotFound } from '../../../domain/errors.js';
import type { OpenApiDocument } from '../contract/openapi-document.js';
import { serialised, type Serialised } from '../contract/operations.js';
import type { Route } from '../contract/route.js';
import type { ProofVerifier } from '../dpop/proof.js';
import { protectedResourceMetadata, RESOURCE_METADATA_PATH } from '../answers/resource-metadata.js';
import { pathPrefixOf, prefixedFlowUrls, withEdits } from '../answers/path-prefix.js';

export interface Readiness {
  database(): Promise<void>;
  authServer(): Promise<void>;
}

export interface MetaOptions {
  /** Serve Swagger UI at /docs, and redirect / to it (DOCS_ENABLED); without it both are 404s like any unknown path. */
  docsEnabled: boolean;
  readiness: Readiness;
  document: OpenApiDocument;
  /** The authorization server's issuer URL (AUTH_SERVER_URL); absent with the embedded one, which is this server. */
  authorizationServer?: string | undefined;
  /** PUBLIC_URL: the served document's server and the metadata's `resource`. */
  publicUrl: string;
}

/** Files of swagger-ui-dist served under /docs/, read once: the docs work with no network. */
const SWAGGER_FILES: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'text/javascript; charset=utf-8',
  'oauth2-redirect.html': 'text/html; charset=utf-8',
  'oauth2-redirect.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

/** Answered in the same media type on every request: the type as Koa's `ctx.type` wrote it before these went through route(). */
const JSON_TYPE = { 'Content-Type': 'application/json; charset=utf-8' };
const HTML_TYPE = { 'Content-Type': 'text/html; charset=utf-8' };
const SCRIPT_TYPE = { 'Content-Type': 'text/javascript; charset=utf-8' };

/** Meta operations are traced by route template (`GET /healthz`), as they were before the contract named them. */
const META = { tracedByRoute: true };

export function metaRoutes(route: Route, { readiness, document, docsEnabled, authorizationServer, publicUrl, dpop: { settings: dpop } }: MetaOptions & { dpop: ProofVerifier }): void {
  // Its package.json, not its main: requiring the main evaluates the whole 1.5 MB browser bundle in Node (~0.5 s, ~40 MB).
  const swaggerDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  const assets = new Map(Object.entries(SWAGGER_FILES).map(([file, type]) => [file, {
    headers: { 'Content-Type': type, 'Cache-Control': 'public, max-age=86400' }, body: readFileSync(join(swaggerDir, file)),
  }]));

  route('getHealth', async () => ({ status: 200, body: { status: 'ok' as const } }), META);

  const up = (check: Promise<void>) => check.then(() => 'ok' as const, () => 'down' as const);
  route('getReadiness', async () => {
    const [database, authServer] = await Promise.all([up(readiness.database()), up(readiness.authServer())]); // at once: the slower sets the wait
    const checks = { database, authServer };
    return checks.database === 'ok' && checks.authServer === 'ok'
      ? { status: 200 as const, body: { status: 'ok' as const, checks } }
      : { status: 503 as const, body: { status: 'unavailable' as const, checks }, headers: { 'Retry-After': '5' } };
  }, META);

  const metadata = protectedResourceMetadata(publicUrl, authorizationServer, dpop);
  route('getProtectedResourceMetadata', async () => ({ status: 200, body: metadata }), META);

  // Client generators take the first server as their base URL, and a relative `/` gives them none:
  // the served document names PUBLIC_URL. Swagger UI at /docs gets a relative server (PUBLIC_URL's
  // path, or `/`), so "Try it out" calls whichever host the page was opened on, without CORS.
  // Every path a browser follows carries PUBLIC_URL's path: the proxy in front strips it.
  const prefix = pathPrefixOf(publicUrl);
  const edits = prefixedFlowUrls(document.json, prefix);
  const served = withServer(document, publicUrl, edits);
  route('getOpenApiYaml', async () => ({ status: 200, body: served.yaml(), headers: { 'Content-Type': 'application/yaml' } }), META);
  route('getOpenApiJson', async () => ({ status: 200, body: served.json, headers: JSON_TYPE }), META);
  if (!docsEnabled) return; // with docs off, / and /docs are 404s like any unknown path

  const forDocs = serialised(prefix === '' ? document.json : { ...withEdits(document.json, edits), servers: [{ url: prefix }] });
  const page = docsPage(prefix);
  const initializer = docsInitializer(prefix);
  // Someone who opens the bare address in a browser lands on the docs.
  route('getRoot', async () => ({ status: 302, body: undefined, headers: { Location: `${prefix}/docs` } }), META);
  route('getDocs', async () => ({ status: 200, body: page, headers: HTML_TYPE }), { ...META, alsoAt: ['/docs/'] });
  // The two files made here have routes (and metrics labels) of their own; the package's files share /docs/:file.
  route('getDocsAsset', async () => ({ status: 200, body: initializer, headers: SCRIPT_TYPE }), { ...META, at: ['/docs/swagger-initializer.js'] });
  route('getDocsAsset', async () => ({ status: 200, body: forDocs, headers: JSON_TYPE }), { ...META, at: ['/docs/openapi.json'] });
  route('getDocsAsset', async ({ ctx }) => {
    const asset = assets.get(ctx.params.file ?? '');
    if (!asset) throw new NotFound('path', ctx.path, `no resource at ${ctx.path}`); // as for a path nothing is at
    return { status: 200, ...asset };
  }, { ...META, at: ['/docs/:file'] });
}

/**
 * The document with PUBLIC_URL as its only server, serialised once: JSON now, YAML (comments kept)
 * when first asked for, since writing it needs the YAML tree that a start with a cached parse never
 * builds (see openapi-document.ts).
 */
function withServer(document: MetaOptions['document'], publicUrl: string, edits: [string[], string][]): { yaml: () => string; json: Serialised<Record<string, unknown>> } {
  const servers = [{ url: publicUrl, description: 'This Gatehouse (its PUBLIC_URL).' }];
  let yaml: string | undefined;
  return { yaml: () => (yaml ??= document.yamlWithServers(servers, edits)), json: serialised({ ...withEdits(document.json, edits), servers }) };
}

/** `prefix` is PUBLIC_URL's path, checked by the config to be a plain URL path: nothing to escape in it but quotes, which JSON.stringify writes. */
const docsPage = (prefix: string) => `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Gatehouse API</title>
  <link rel="stylesheet" href="${prefix}/docs/swagger-ui.css">
  <link rel="icon" type="image/png" href="${prefix}/docs/favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="${prefix}/docs/swagger-ui-bundle.js"></script>
  <script src="${prefix}/docs/swagger-ui-standalone-preset.js"></script>
  <script src="${prefix}/docs/swagger-initializer.js"></script>
</body>
</html>
`;

// Served as a file rather than inline so a strict Content-Security-Policy can forbid inline scripts.
const docsInitializer = (prefix: string) => `window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: ${JSON.stringify(`${prefix}/docs/openapi.json`)},
    dom_id: '#swagger-ui',
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: 'StandaloneLayout',
    oauth2RedirectUrl: window.location.origin + ${JSON.stringify(`${prefix}/docs/oauth2-redirect.html`)},
  });
};
`;
