import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import Router from '@koa/router';
import type { OpenApiDocument } from '../contract/openapi-document.js';
import type { ProofVerifier } from '../dpop/proof.js';
import type { AppState, Ctx } from '../state.js';
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

export function metaRoutes(router: Router<AppState>, { readiness, document, docsEnabled, authorizationServer, publicUrl, dpop: { settings: dpop } }: MetaOptions & { dpop: ProofVerifier }): void {
  // Its package.json, not its main: requiring the main evaluates the whole 1.5 MB browser bundle in Node (~0.5 s, ~40 MB).
  const swaggerDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  const assets = new Map(Object.entries(SWAGGER_FILES).map(([file, type]) => [file, { type, body: readFileSync(join(swaggerDir, file)) }]));

  router.get('/healthz', (ctx: Ctx) => { ctx.body = { status: 'ok' }; });

  router.get('/readyz', async (ctx: Ctx) => {
    const [database, authServer] = await Promise.all([readiness.database(), readiness.authServer()].map(
      (check) => check.then(() => 'ok' as const, () => 'down' as const)));
    const ready = database === 'ok' && authServer === 'ok';
    ctx.status = ready ? 200 : 503;
    if (!ready) ctx.set('Retry-After', '5');
    ctx.body = { status: ready ? 'ok' : 'unavailable', checks: { database, authServer } };
  });

  const metadata = protectedResourceMetadata(publicUrl, authorizationServer, dpop);
  router.get(RESOURCE_METADATA_PATH, (ctx: Ctx) => { ctx.body = metadata; });

  // Client generators take the first server as their base URL, and a relative `/` gives them none:
  // the served document names PUBLIC_URL. Swagger UI at /docs gets a relative server (PUBLIC_URL's
  // path, or `/`), so "Try it out" calls whichever host the page was opened on, without CORS.
  // Every path a browser follows carries PUBLIC_URL's path: the proxy in front strips it.
  const prefix = pathPrefixOf(publicUrl);
  const edits = prefixedFlowUrls(document.json, prefix);
  const served = withServer(document, publicUrl, edits);
  router.get('/openapi.yaml', (ctx: Ctx) => { ctx.type = 'application/yaml'; ctx.body = served.yaml; });
  router.get('/openapi.json', (ctx: Ctx) => { ctx.type = 'application/json'; ctx.body = served.json; });
  const forDocs = JSON.stringify(prefix === '' ? document.json : { ...withEdits(document.json, edits), servers: [{ url: prefix }] });
  const page = docsPage(prefix);
  const initializer = docsInitializer(prefix);

  if (docsEnabled) {
    // Someone who opens the bare address in a browser lands on the docs; with docs off, / stays a 404.
    router.get('/', (ctx: Ctx) => {
      ctx.body = null; // before the status: an explicit null body, which Koa sends as an empty 302, not "Found"
      ctx.status = 302;
      ctx.set('Location', `${prefix}/docs`);
    });
    router.get(['/docs', '/docs/'], (ctx: Ctx) => { ctx.type = 'text/html; charset=utf-8'; ctx.body = page; });
    router.get('/docs/swagger-initializer.js', (ctx: Ctx) => { ctx.type = 'text/javascript; charset=utf-8'; ctx.body = initializer; });
    router.get('/docs/openapi.json', (ctx: Ctx) => { ctx.type = 'application/json'; ctx.body = forDocs; });
    router.get('/docs/:file', (ctx: Ctx, next) => {
      const asset = assets.get(ctx.params.file ?? '');
      if (!asset) return next();
      ctx.type = asset.type;
      ctx.set('Cache-Control', 'public, max-age=86400');
      ctx.body = asset.body;
    });
  }
}

/** The document with PUBLIC_URL as its only server, serialised once: YAML (comments kept) and JSON. */
function withServer(document: MetaOptions['document'], publicUrl: string, edits: [string[], string][]): { yaml: string; json: string } {
  const servers = [{ url: publicUrl, description: 'This Gatehouse (its PUBLIC_URL).' }];
  return { yaml: document.yamlWithServers(servers, edits), json: JSON.stringify({ ...withEdits(document.json, edits), servers }) };
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
