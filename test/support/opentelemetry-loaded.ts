/**
 * Run as a script (`node --import tsx`): starts a Gatehouse on PostgreSQL with the environment's
 * OTEL_* settings, serves a few requests, closes, and prints the OpenTelemetry packages the process
 * loaded, as JSON. They are CommonJS, so even when imported they land in require.cache.
 */
import { createRequire } from 'node:module';
import { startTestGatehouse } from './gatehouse.js';

const require = createRequire(import.meta.url);
const otel = Object.fromEntries(Object.entries(process.env).filter(([name]) => name.startsWith('OTEL_'))) as Record<string, string>;
const server = await startTestGatehouse({ database: 'postgres', auth: 'embedded', env: otel });
for (const path of ['/health', '/items/', '/openapi.json']) await (await fetch(new URL(path, server.url))).arrayBuffer();
await server.close();
const packages = new Set(Object.keys(require.cache).map((file) => /node_modules\/(@opentelemetry\/[^/]+)\//.exec(file)?.[1]).filter(Boolean));
console.log(JSON.stringify([...packages].sort()));
