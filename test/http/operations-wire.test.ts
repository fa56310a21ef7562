import { createHash, randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { ApiClient } from '../support/api-client.js';
import { requireService } from '../support/availability.js';
import { startTestGatehouse, type GatehouseUnderTest } from '../support/gatehouse.js';
import { processOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver.js';
import { postgresAvailable } from '../support/postgres.js';
import { makeSuperuser } from '../support/staff.js';

/**
 * The API operations on the wire (meta-wire.test.ts has the meta ones): for each, a success and
 * the errors it is most often answered with, plus the requests no operation takes (405, 404, 501,
 * OPTIONS) and CORS. Recorded: status, the full header set, the body's sha256 (a prefix), the
 * metrics label, the server span's name and route, and the request log line's fields. How requests
 * reach their handlers may change; none of this may.
 *
 * Helmet's headers, the same on every answer, are one entry (`(security headers)`: `all` when each
 * is there with its value). What a run cannot repeat is `*`: a generated X-Request-Id; and for a request marked volatile
 * (its answer holds ids, timestamps or tokens) the body, Content-Length, ETag and Location.
 * `OPERATIONS_WIRE_PRINT=1` prints the table as seen, in the form below, to compare a run before a
 * change with one after.
 */
const PUBLIC_URL = 'https://api.example.com/gh';
const PASSWORD = 'correct horse battery';
const ALLOWED_ORIGIN = 'https://app.example.com';

interface Seen {
  status: number; headers: Record<string, string>; body: string; route: string; span: string;
  /** The request log line: its field names in order, then method, path, status and whether a userId was logged. */
  log: string;
}

/** What every answer but a CORS preflight carries (helmet's defaults): checked on each, then left out of the table. */
const EVERY_ANSWER: Record<string, string> = {
  'content-security-policy': "default-src 'self';base-uri 'self';font-src 'self' https: data:;form-action 'self';frame-ancestors 'self';img-src 'self' data:;object-src 'none';script-src 'self';script-src-attr 'none';style-src 'self' 'unsafe-inline';upgrade-insecure-requests;connect-src 'self'",
  'cross-origin-opener-policy': 'same-origin', 'cross-origin-resource-policy': 'same-origin', 'origin-agent-cluster': '?1',
  'referrer-policy': 'no-referrer', 'x-content-type-options': 'nosniff', 'x-dns-prefetch-control': 'off', 'x-download-options': 'noopen',
  'x-frame-options': 'SAMEORIGIN', 'x-permitted-cross-domain-policies': 'none', 'x-xss-protection': '0',
};

type Who = 'alice' | 'bob' | 'dave' | 'admin' | 'carol' | 'none' | 'junk';
interface Sent {
  who?: Who;
  json?: unknown;
  form?: Record<string, string>;
  raw?: { body: string; type: string };
  headers?: Record<string, string>;
  /** Its answer holds generated values: body, Content-Length, ETag and Location are `*`. */
  volatile?: boolean;
}

/** Requests in order (later ones depend on earlier ones); `{…}` in a path or value is filled in from what earlier answers said. */
const REQUESTS: [string, Sent][] = [
  ['POST /users/signup/', { json: { email: 'carol@example.com', password: PASSWORD, password2: PASSWORD }, volatile: true }],
  ['POST /users/signup/ (taken)', { json: { email: 'carol@example.com', password: PASSWORD, password2: PASSWORD } }],
  ['POST /users/signup/ (mismatch)', { json: { email: 'erin@example.com', password: PASSWORD, password2: 'other horse battery' } }],
  ['POST /users/signup/ (text)', { raw: { body: 'hello', type: 'text/plain' } }],
  ['POST /users/signup (bad json)', { raw: { body: '{', type: 'application/json' } }],
  ['POST /users/token/', { json: { email: 'carol@example.com', password: PASSWORD }, volatile: true }],
  ['POST /users/token/ (wrong password)', { json: { email: 'carol@example.com', password: 'wrong horse battery' } }],
  ['POST /users/token/ (grant)', { form: { grant_type: 'client_credentials' } }],
  ['POST /users/token/ (form)', { form: { grant_type: 'password', username: 'carol@example.com', password: PASSWORD }, volatile: true }],
  ['POST /users/token/refresh/', { json: { refresh: '{carolRefresh}' }, volatile: true }],
  ['POST /users/token/refresh/ (junk)', { json: { refresh: 'junk-refresh-token-0123456789' } }],
  ['POST /users/token/revoke/', { json: { token: '{carolAccess}' } }],
  ['POST /users/token/revoke/ (empty)', { json: {} }],
  ['PUT /users/password/ (no token)', { json: { old_password: PASSWORD, password: 'new horse battery', password2: 'new horse battery' } }],
  ['PUT /users/password/ (wrong old)', { who: 'dave', json: { old_password: 'wrong horse battery', password: 'new horse battery', password2: 'new horse battery' } }],
  ['PUT /users/password/', { who: 'dave', json: { old_password: PASSWORD, password: 'new horse battery', password2: 'new horse battery' } }],
  ['POST /items/', { who: 'alice', json: { name: 'wire lamp', description: 'a red lamp', price: '12.50' }, volatile: true }],
  ['POST /items/ (no token)', { json: { name: 'wire lamp 2', description: 'a red lamp', price: '12.50' } }],
  ['POST /items/ (junk token)', { who: 'junk', json: { name: 'wire lamp 2', description: 'a red lamp', price: '12.50' } }],
  ['POST /items/ (bad body)', { who: 'alice', json: { name: '', price: 12 } }],
  ['POST /items/ (text)', { who: 'alice', raw: { body: 'lamp', type: 'text/plain' } }],
  ['POST /items/ (name taken)', { who: 'alice', json: { name: 'wire lamp', description: 'again', price: '1.00' } }],
  ['POST /items (key)', { who: 'alice', json: { name: 'wire desk', description: 'oak', price: '99.00' }, headers: { 'Idempotency-Key': 'wire-key-1' }, volatile: true }],
  ['POST /items/ (key again)', { who: 'alice', json: { name: 'wire desk', description: 'oak', price: '99.00' }, headers: { 'Idempotency-Key': 'wire-key-1' }, volatile: true }],
  ['POST /items/ (key, other body)', { who: 'alice', json: { name: 'wire chair', description: 'oak', price: '9.00' }, headers: { 'Idempotency-Key': 'wire-key-1' } }],
  ['GET /items/?limit=20', { who: 'alice', volatile: true }],
  ['GET /items/?limit=1&ordering=-id&owner=me', { who: 'alice', volatile: true }],
  ['GET /items/?limit=abc', { who: 'alice' }],
  ['GET /items/?cursor=nonsense', { who: 'alice' }],
  ['GET /items/ (no token)', {}],
  ['GET /items/ (junk token)', { who: 'junk' }],
  ['GET /items/ (basic auth)', { headers: { Authorization: 'Basic YTpi' } }],
  ['HEAD /items/?limit=2', { who: 'alice', volatile: true }],
  ['GET /items?limit=1', { who: 'alice', volatile: true }],
  ['GET /ITEMS/?limit=1', { who: 'alice', volatile: true }],
  ['GET /items/{lamp}/', { who: 'alice', volatile: true }],
  ['GET /items/{lamp}/ (etag)', { who: 'alice', headers: { 'If-None-Match': '{lampEtag}' }, volatile: true }],
  ['GET /items/{lamp}', { who: 'bob', volatile: true }],
  ['HEAD /items/{lamp}/', { who: 'alice', volatile: true }],
  ['GET /items/%31/', { who: 'alice', volatile: true }],
  ['GET /items/999999/', { who: 'alice' }],
  ['GET /items/abc/', { who: 'alice' }],
  ['GET /items/0/', { who: 'alice' }],
  ['GET /items/{lamp}/ (no token)', {}],
  ['GET /items/{lamp}//', { who: 'alice' }],
  ['PUT /items/{lamp}/', { who: 'alice', json: { name: 'wire lamp', description: 'a blue lamp', price: '13.50' }, headers: { 'If-Match': '{lampEtag}' }, volatile: true }],
  ['PUT /items/{lamp}/ (stale)', { who: 'alice', json: { name: 'wire lamp', description: 'a green lamp', price: '13.50' }, headers: { 'If-Match': '{lampEtag}' } }],
  ['PUT /items/{lamp}/ (not owner)', { who: 'bob', json: { name: 'wire lamp', description: 'mine', price: '1.00' } }],
  ['PUT /items/{lamp}/ (bad body)', { who: 'alice', json: { name: 'wire lamp' } }],
  ['PATCH /items/{lamp}/', { who: 'alice', json: { price: '1.00' }, volatile: true }],
  ['PATCH /items/{lamp} (bad body)', { who: 'alice', json: { price: 'free' } }],
  ['PATCH /items/{lamp}/ (not owner)', { who: 'bob', json: { price: '2.00' } }],
  ['DELETE /items/{desk}/ (not owner)', { who: 'bob' }],
  ['DELETE /items/{desk}/', { who: 'alice' }],
  ['DELETE /items/{desk}/ (again)', { who: 'alice' }],
  ['PUT /items/', { who: 'alice', json: {} }],
  ['OPTIONS /items/', {}],
  ['OPTIONS /items/{lamp}/', {}],
  ['PROPFIND /items/', {}],
  ['GET /nothing/', {}],
  ['GET /items//', { who: 'alice' }],
  ['POST /users/token/revoke', { raw: { body: 'token=x', type: 'application/x-www-form-urlencoded' } }],
  ['GET /admin/users/', { who: 'admin', volatile: true }],
  ['GET /admin/users/?limit=1&ordering=-id&is_staff=false', { who: 'admin', volatile: true }],
  ['GET /admin/users/ (not staff)', { who: 'alice' }],
  ['GET /admin/users/?limit=0', { who: 'admin' }],
  ['GET /admin/users/{alice}/', { who: 'admin', volatile: true }],
  ['GET /admin/users/999999/', { who: 'admin' }],
  ['PATCH /admin/users/{bob}/', { who: 'admin', json: { is_active: false }, volatile: true }],
  ['PATCH /admin/users/{admin}/ (self)', { who: 'admin', json: { is_active: false } }],
  ['PATCH /admin/users/{alice}/ (not staff)', { who: 'alice', json: { is_active: false } }],
  ['GET /.well-known/oauth-protected-resource/gh', {}],
  ['GET /.well-known/oauth-protected-resource/other', {}],
  ['GET /.well-known/oauth-authorization-server/gh', {}],
  ['GET /.well-known/oauth-authorization-server/other', {}],
  ['GET /healthz (given id)', { headers: { 'X-Request-Id': 'wire-request-1' } }],
  ['GET /items/ (given id)', { who: 'alice', headers: { 'X-Request-Id': 'wire-request-2' }, volatile: true }],
  ['GET /items/ (bad id)', { who: 'alice', headers: { 'X-Request-Id': 'not an id!' }, volatile: true }],
];

/** The same server with CORS_ORIGINS set: what a browser's requests get. */
const CORS_REQUESTS: [string, Sent][] = [
  ['GET /items/?limit=1 (allowed origin)', { who: 'alice', headers: { Origin: ALLOWED_ORIGIN }, volatile: true }],
  ['GET /items/?limit=1 (other origin)', { who: 'alice', headers: { Origin: 'https://evil.example.com' }, volatile: true }],
  ['GET /items/?limit=1 (no origin)', { who: 'alice', volatile: true }],
  ['GET /items/ (allowed origin, no token)', { headers: { Origin: ALLOWED_ORIGIN } }],
  ['POST /items/ (allowed origin)', { who: 'alice', headers: { Origin: ALLOWED_ORIGIN }, json: { name: 'cors lamp', description: 'x', price: '1.00' }, volatile: true }],
  ['OPTIONS /items/ (preflight)', { headers: { Origin: ALLOWED_ORIGIN, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization,content-type' } }],
  ['OPTIONS /items/{lamp}/ (preflight, other origin)', { headers: { Origin: 'https://evil.example.com', 'Access-Control-Request-Method': 'PUT' } }],
  ['GET /nothing/ (allowed origin)', { headers: { Origin: ALLOWED_ORIGIN } }],
  ['GET /healthz (allowed origin)', { headers: { Origin: ALLOWED_ORIGIN } }],
];

const EXPECTED: [string, Seen][] = [
  ["POST /users/signup/",{"status":201,"headers":{"(security headers)":"all","content-length":"*","content-type":"application/json; charset=utf-8","x-request-id":"*"},"body":"*","route":"/users/signup/ 201","span":"signUp /users/signup/ 201","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,msg 30 POST /users/signup/ 201 number undefined"}],
  ["POST /users/signup/ (taken)",{"status":409,"headers":{"(security headers)":"all","content-length":"120","content-type":"application/problem+json","x-request-id":"*"},"body":"fdefd989c667f46d","route":"/users/signup/ 409","span":"signUp /users/signup/ 409","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,msg 30 POST /users/signup/ 409 number undefined"}],
  ["POST /users/signup/ (mismatch)",{"status":400,"headers":{"(security headers)":"all","content-length":"191","content-type":"application/problem+json","x-request-id":"*"},"body":"4716ad228c41a363","route":"/users/signup/ 400","span":"signUp /users/signup/ 400","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,msg 30 POST /users/signup/ 400 number undefined"}],
  ["POST /users/signup/ (text)",{"status":415,"headers":{"(security headers)":"all","content-length":"134","content-type":"application/problem+json","x-request-id":"*"},"body":"afb3169a86f2610f","route":"/users/signup/ 415","span":"signUp /users/signup/ 415","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,msg 30 POST /users/signup/ 415 number undefined"}],
  ["POST /users/signup (bad json)",{"status":400,"headers":{"(security headers)":"all","content-length":"138","content-type":"application/problem+json","x-request-id":"*"},"body":"56d559bdcbfd08c7","route":"/users/signup/ 400","span":"signUp /users/signup/ 400","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,msg 30 POST /users/signup 400 number undefined"}],
  ["POST /users/token/",{"status":200,"headers":{"(security headers)":"all","cache-control":"no-store","content-length":"*","content-type":"application/json; charset=utf-8","pragma":"no-cache","x-request-id":"*"},"body":"*","route":"/users/token/ 200","span":"getToken /users/token/ 200","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,msg 30 POST /users/token/ 200 number undefined"}],
  ["POST /users/token/ (wrong password)",{"status":400,"headers":{"(security headers)":"all","cache-control":"no-store","content-length":"73","content-type":"application/json; charset=utf-8","x-request-id":"*"},"body":"ddaafac0736f4b2f","route":"/users/token/ 400","span":"getToken /users/token/ 400","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,msg 30 POST /users/token/ 400 number undefined"}],
  ["POST /users/token/ (grant)",{"status":400,"headers":{"(security headers)":"all","cache-control":"no-store","content-length":"130","content-type":"application/json; charset=utf-8","x-request-id":"*"},"body":"38351a75cb750b0b","route":"/users/token/ 400","span":"getToken /users/token/ 400","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,msg 30 POST /users/token/ 400 number undefined"}],
  ["POST /users/token/ (form)",{"status":200,"headers":{"(security headers)":"all","cache-control":"no-store","content-length":"*","content-type":"application/json; charset=utf-8","pragma":"no-cache","x-request-id":"*"},"body":"*","route":"/users/token/ 200","span":"getToken /users/token/ 200","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,msg 30 POST /users/token/ 200 number undefined"}],
  ["POST /users/token/refresh/",{"status":200,"headers":{"(security headers)":"all","cache-control":"no-store","content-length":"*","content-type":"application/json; charset=utf-8","pragma":"no-cache","x-request-id":"*"},"body":"*","route":"/users/token/refresh/ 200","span":"refreshToken /users/token/refresh/ 200","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,msg 30 POST /users/token/refresh/ 200 number undefined"}],
  ["POST /users/token/refresh/ (junk)",{"status":400,"headers":{"(security headers)":"all","cache-control":"no-store","content-length":"93","content-type":"application/json; charset=utf-8","x-request-id":"*"},"body":"2923c02cd1b0e4af","route":"/users/token/refresh/ 400","span":"refreshToken /users/token/refresh/ 400","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,msg 30 POST /users/token/refresh/ 400 number undefined"}],
  ["POST /users/token/revoke/",{"status":200,"headers":{"(security headers)":"all","cache-control":"no-store","content-length":"0","x-request-id":"*"},"body":"e3b0c44298fc1c14","route":"/users/token/revoke/ 200","span":"revokeToken /users/token/revoke/ 200","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,msg 30 POST /users/token/revoke/ 200 number undefined"}],
  ["POST /users/token/revoke/ (empty)",{"status":400,"headers":{"(security headers)":"all","cache-control":"no-store","content-length":"68","content-type":"application/json; charset=utf-8","x-request-id":"*"},"body":"4aa07e4ad010fda7","route":"/users/token/revoke/ 400","span":"revokeToken /users/token/revoke/ 400","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,msg 30 POST /users/token/revoke/ 400 number undefined"}],
  ["PUT /users/password/ (no token)",{"status":401,"headers":{"(security headers)":"all","content-length":"128","content-type":"application/problem+json","www-authenticate":"Bearer realm=\"gatehouse\", resource_metadata=\"https://api.example.com/gh/.well-known/oauth-protected-resource\", DPoP realm=\"gatehouse\", algs=\"ES256 ES384 RS256 PS256 EdDSA\", resource_metadata=\"https://api.example.com/gh/.well-known/oauth-protected-resource\"","x-request-id":"*"},"body":"e01c53af1834b539","route":"/users/password/ 401","span":"changePassword /users/password/ 401","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,msg 30 PUT /users/password/ 401 number undefined"}],
  ["PUT /users/password/ (wrong old)",{"status":400,"headers":{"(security headers)":"all","content-length":"190","content-type":"application/problem+json","x-request-id":"*"},"body":"84aa29801e0f5eac","route":"/users/password/ 400","span":"changePassword /users/password/ 400","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,userId,msg 30 PUT /users/password/ 400 number number"}],
  ["PUT /users/password/",{"status":204,"headers":{"(security headers)":"all","x-request-id":"*"},"body":"e3b0c44298fc1c14","route":"/users/password/ 204","span":"changePassword /users/password/ 204","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,userId,msg 30 PUT /users/password/ 204 number number"}],
  ["POST /items/",{"status":201,"headers":{"(security headers)":"all","content-length":"*","content-type":"application/json; charset=utf-8","etag":"*","location":"*","x-request-id":"*"},"body":"*","route":"/items/ 201","span":"createItem /items/ 201","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,userId,msg 30 POST /items/ 201 number number"}],
  ["POST /items/ (no token)",{"status":401,"headers":{"(security headers)":"all","content-length":"128","content-type":"application/problem+json","www-authenticate":"Bearer realm=\"gatehouse\", resource_metadata=\"https://api.example.com/gh/.well-known/oauth-protected-resource\", DPoP realm=\"gatehouse\", algs=\"ES256 ES384 RS256 PS256 EdDSA\", resource_metadata=\"https://api.example.com/gh/.well-known/oauth-protected-resource\"","x-request-id":"*"},"body":"e01c53af1834b539","route":"/items/ 401","span":"createItem /items/ 401","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,msg 30 POST /items/ 401 number undefined"}],
  ["POST /items/ (junk token)",{"status":401,"headers":{"(security headers)":"all","content-length":"130","content-type":"application/problem+json","www-authenticate":"Bearer realm=\"gatehouse\", error=\"invalid_token\", error_description=\"the access token is invalid, expired or revoked\", resource_metadata=\"https://api.example.com/gh/.well-known/oauth-protected-resource\", DPoP realm=\"gatehouse\", algs=\"ES256 ES384 RS256 PS256 EdDSA\", resource_metadata=\"https://api.example.com/gh/.well-known/oauth-protected-resource\"","x-request-id":"*"},"body":"11206335eb872932","route":"/items/ 401","span":"createItem /items/ 401","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,msg 30 POST /items/ 401 number undefined"}],
  ["POST /items/ (bad body)",{"status":400,"headers":{"(security headers)":"all","content-length":"225","content-type":"application/problem+json","x-request-id":"*"},"body":"8e9e1cbb5c8944a9","route":"/items/ 400","span":"createItem /items/ 400","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,userId,msg 30 POST /items/ 400 number number"}],
  ["POST /items/ (text)",{"status":415,"headers":{"(security headers)":"all","content-length":"134","content-type":"application/problem+json","x-request-id":"*"},"body":"afb3169a86f2610f","route":"/items/ 415","span":"createItem /items/ 415","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,userId,msg 30 POST /items/ 415 number number"}],
  ["POST /items/ (name taken)",{"status":409,"headers":{"(security headers)":"all","content-length":"119","content-type":"application/problem+json","x-request-id":"*"},"body":"f6cf23d17b6000d6","route":"/items/ 409","span":"createItem /items/ 409","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,userId,msg 30 POST /items/ 409 number number"}],
  ["POST /items (key)",{"status":201,"headers":{"(security headers)":"all","content-length":"*","content-type":"application/json; charset=utf-8","etag":"*","location":"*","x-request-id":"*"},"body":"*","route":"/items/ 201","span":"createItem /items/ 201","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,userId,msg 30 POST /items 201 number number"}],
  ["POST /items/ (key again)",{"status":201,"headers":{"(security headers)":"all","content-length":"*","content-type":"application/json; charset=utf-8","etag":"*","idempotent-replayed":"true","location":"*","x-request-id":"*"},"body":"*","route":"/items/ 201","span":"createItem /items/ 201","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,userId,msg 30 POST /items/ 201 number number"}],
  ["POST /items/ (key, other body)",{"status":422,"headers":{"(security headers)":"all","content-length":"196","content-type":"application/problem+json","x-request-id":"*"},"body":"77873af35392a9d0","route":"/items/ 422","span":"createItem /items/ 422","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,userId,msg 30 POST /items/ 422 number number"}],
  ["GET /items/?limit=20",{"status":200,"headers":{"(security headers)":"all","content-length":"*","content-type":"application/json; charset=utf-8","x-request-id":"*"},"body":"*","route":"/items/ 200","span":"listItems /items/ 200","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,userId,msg 30 GET /items/ 200 number number"}],
  ["GET /items/?limit=1&ordering=-id&owner=me",{"status":200,"headers":{"(security headers)":"all","content-length":"*","content-type":"application/json; charset=utf-8","x-request-id":"*"},"body":"*","route":"/items/ 200","span":"listItems /items/ 200","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,userId,msg 30 GET /items/ 200 number number"}],
  ["GET /items/?limit=abc",{"status":400,"headers":{"(security headers)":"all","content-length":"177","content-type":"application/problem+json","x-request-id":"*"},"body":"a6293e895d0f4493","route":"/items/ 400","span":"listItems /items/ 400","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,userId,msg 30 GET /items/ 400 number number"}],
  ["GET /items/?cursor=nonsense",{"status":400,"headers":{"(security headers)":"all","content-length":"232","content-type":"application/problem+json","x-request-id":"*"},"body":"53d44f1592d76a98","route":"/items/ 400","span":"listItems /items/ 400","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,userId,msg 30 GET /items/ 400 number number"}],
  ["GET /items/ (no token)",{"status":401,"headers":{"(security headers)":"all","content-length":"128","content-type":"application/problem+json","www-authenticate":"Bearer realm=\"gatehouse\", resource_metadata=\"https://api.example.com/gh/.well-known/oauth-protected-resource\", DPoP realm=\"gatehouse\", algs=\"ES256 ES384 RS256 PS256 EdDSA\", resource_metadata=\"https://api.example.com/gh/.well-known/oauth-protected-resource\"","x-request-id":"*"},"body":"e01c53af1834b539","route":"/items/ 401","span":"listItems /items/ 401","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,msg 30 GET /items/ 401 number undefined"}],
  ["GET /items/ (junk token)",{"status":401,"headers":{"(security headers)":"all","content-length":"130","content-type":"application/problem+json","www-authenticate":"Bearer realm=\"gatehouse\", error=\"invalid_token\", error_description=\"the access token is invalid, expired or revoked\", resource_metadata=\"https://api.example.com/gh/.well-known/oauth-protected-resource\", DPoP realm=\"gatehouse\", algs=\"ES256 ES384 RS256 PS256 EdDSA\", resource_metadata=\"https://api.example.com/gh/.well-known/oauth-protected-resource\"","x-request-id":"*"},"body":"11206335eb872932","route":"/items/ 401","span":"listItems /items/ 401","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,msg 30 GET /items/ 401 number undefined"}],
  ["GET /items/ (basic auth)",{"status":401,"headers":{"(security headers)":"all","content-length":"128","content-type":"application/problem+json","www-authenticate":"Bearer realm=\"gatehouse\", resource_metadata=\"https://api.example.com/gh/.well-known/oauth-protected-resource\", DPoP realm=\"gatehouse\", algs=\"ES256 ES384 RS256 PS256 EdDSA\", resource_metadata=\"https://api.example.com/gh/.well-known/oauth-protected-resource\"","x-request-id":"*"},"body":"e01c53af1834b539","route":"/items/ 401","span":"listItems /items/ 401","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,msg 30 GET /items/ 401 number undefined"}],
  ["HEAD /items/?limit=2",{"status":200,"headers":{"(security headers)":"all","content-length":"*","content-type":"application/json; charset=utf-8","x-request-id":"*"},"body":"*","route":"/items/ 200","span":"listItems /items/ 200","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,userId,msg 30 HEAD /items/ 200 number number"}],
  ["GET /items?limit=1",{"status":200,"headers":{"(security headers)":"all","content-length":"*","content-type":"application/json; charset=utf-8","x-request-id":"*"},"body":"*","route":"/items/ 200","span":"listItems /items/ 200","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,userId,msg 30 GET /items 200 number number"}],
  ["GET /ITEMS/?limit=1",{"status":200,"headers":{"(security headers)":"all","content-length":"*","content-type":"application/json; charset=utf-8","x-request-id":"*"},"body":"*","route":"/items/ 200","span":"listItems /items/ 200","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,userId,msg 30 GET /ITEMS/ 200 number number"}],
  ["GET /items/{lamp}/",{"status":200,"headers":{"(security headers)":"all","content-length":"*","content-type":"application/json; charset=utf-8","etag":"*","x-request-id":"*"},"body":"*","route":"/items/:id/ 200","span":"getItem /items/{id}/ 200","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,userId,msg 30 GET /items/1/ 200 number number"}],
  ["GET /items/{lamp}/ (etag)",{"status":304,"headers":{"(security headers)":"all","etag":"*","x-request-id":"*"},"body":"*","route":"/items/:id/ 304","span":"getItem /items/{id}/ 304","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,userId,msg 30 GET /items/1/ 304 number number"}],
  ["GET /items/{lamp}",{"status":200,"headers":{"(security headers)":"all","content-length":"*","content-type":"application/json; charset=utf-8","etag":"*","x-request-id":"*"},"body":"*","route":"/items/:id/ 200","span":"getItem /items/{id}/ 200","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,userId,msg 30 GET /items/1 200 number number"}],
  ["HEAD /items/{lamp}/",{"status":200,"headers":{"(security headers)":"all","content-length":"*","content-type":"application/json; charset=utf-8","etag":"*","x-request-id":"*"},"body":"*","route":"/items/:id/ 200","span":"getItem /items/{id}/ 200","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,userId,msg 30 HEAD /items/1/ 200 number number"}],
  ["GET /items/%31/",{"status":200,"headers":{"(security headers)":"all","content-length":"*","content-type":"application/json; charset=utf-8","etag":"*","x-request-id":"*"},"body":"*","route":"/items/:id/ 200","span":"getItem /items/{id}/ 200","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,userId,msg 30 GET /items/%31/ 200 number number"}],
  ["GET /items/999999/",{"status":404,"headers":{"(security headers)":"all","content-length":"101","content-type":"application/problem+json","x-request-id":"*"},"body":"9ebe6f8b9d99b4fd","route":"/items/:id/ 404","span":"getItem /items/{id}/ 404","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,userId,msg 30 GET /items/999999/ 404 number number"}],
  ["GET /items/abc/",{"status":404,"headers":{"(security headers)":"all","content-length":"107","content-type":"application/problem+json","x-request-id":"*"},"body":"94b165a5e2633351","route":"/items/:id/ 404","span":"getItem /items/{id}/ 404","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,userId,msg 30 GET /items/abc/ 404 number number"}],
  ["GET /items/0/",{"status":404,"headers":{"(security headers)":"all","content-length":"107","content-type":"application/problem+json","x-request-id":"*"},"body":"94b165a5e2633351","route":"/items/:id/ 404","span":"getItem /items/{id}/ 404","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,userId,msg 30 GET /items/0/ 404 number number"}],
  ["GET /items/{lamp}/ (no token)",{"status":401,"headers":{"(security headers)":"all","content-length":"128","content-type":"application/problem+json","www-authenticate":"Bearer realm=\"gatehouse\", resource_metadata=\"https://api.example.com/gh/.well-known/oauth-protected-resource\", DPoP realm=\"gatehouse\", algs=\"ES256 ES384 RS256 PS256 EdDSA\", resource_metadata=\"https://api.example.com/gh/.well-known/oauth-protected-resource\"","x-request-id":"*"},"body":"e01c53af1834b539","route":"/items/:id/ 401","span":"getItem /items/{id}/ 401","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,msg 30 GET /items/1/ 401 number undefined"}],
  ["GET /items/{lamp}//",{"status":404,"headers":{"(security headers)":"all","content-length":"100","content-type":"application/problem+json","x-request-id":"*"},"body":"266aa645ec264cf4","route":"unmatched 404","span":"GET - 404","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,msg 30 GET /items/1// 404 number undefined"}],
  ["PUT /items/{lamp}/",{"status":200,"headers":{"(security headers)":"all","content-length":"*","content-type":"application/json; charset=utf-8","etag":"*","x-request-id":"*"},"body":"*","route":"/items/:id/ 200","span":"replaceItem /items/{id}/ 200","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,userId,msg 30 PUT /items/1/ 200 number number"}],
  ["PUT /items/{lamp}/ (stale)",{"status":412,"headers":{"(security headers)":"all","content-length":"140","content-type":"application/problem+json","x-request-id":"*"},"body":"4ba453be0deffa7d","route":"/items/:id/ 412","span":"replaceItem /items/{id}/ 412","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,userId,msg 30 PUT /items/1/ 412 number number"}],
  ["PUT /items/{lamp}/ (not owner)",{"status":403,"headers":{"(security headers)":"all","content-length":"109","content-type":"application/problem+json","x-request-id":"*"},"body":"7c40a56bd7625065","route":"/items/:id/ 403","span":"replaceItem /items/{id}/ 403","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,userId,msg 30 PUT /items/1/ 403 number number"}],
  ["PUT /items/{lamp}/ (bad body)",{"status":400,"headers":{"(security headers)":"all","content-length":"220","content-type":"application/problem+json","x-request-id":"*"},"body":"60d8879f7a57060e","route":"/items/:id/ 400","span":"replaceItem /items/{id}/ 400","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,userId,msg 30 PUT /items/1/ 400 number number"}],
  ["PATCH /items/{lamp}/",{"status":200,"headers":{"(security headers)":"all","content-length":"*","content-type":"application/json; charset=utf-8","etag":"*","x-request-id":"*"},"body":"*","route":"/items/:id/ 200","span":"updateItem /items/{id}/ 200","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,userId,msg 30 PATCH /items/1/ 200 number number"}],
  ["PATCH /items/{lamp} (bad body)",{"status":400,"headers":{"(security headers)":"all","content-length":"233","content-type":"application/problem+json","x-request-id":"*"},"body":"ed23671f087a07e1","route":"/items/:id/ 400","span":"updateItem /items/{id}/ 400","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,userId,msg 30 PATCH /items/1 400 number number"}],
  ["PATCH /items/{lamp}/ (not owner)",{"status":403,"headers":{"(security headers)":"all","content-length":"109","content-type":"application/problem+json","x-request-id":"*"},"body":"7c40a56bd7625065","route":"/items/:id/ 403","span":"updateItem /items/{id}/ 403","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,userId,msg 30 PATCH /items/1/ 403 number number"}],
  ["DELETE /items/{desk}/ (not owner)",{"status":403,"headers":{"(security headers)":"all","content-length":"109","content-type":"application/problem+json","x-request-id":"*"},"body":"907f10d28c969046","route":"/items/:id/ 403","span":"deleteItem /items/{id}/ 403","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,userId,msg 30 DELETE /items/3/ 403 number number"}],
  ["DELETE /items/{desk}/",{"status":204,"headers":{"(security headers)":"all","x-request-id":"*"},"body":"e3b0c44298fc1c14","route":"/items/:id/ 204","span":"deleteItem /items/{id}/ 204","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,userId,msg 30 DELETE /items/3/ 204 number number"}],
  ["DELETE /items/{desk}/ (again)",{"status":404,"headers":{"(security headers)":"all","content-length":"96","content-type":"application/problem+json","x-request-id":"*"},"body":"b31c3fb3e98d6abc","route":"/items/:id/ 404","span":"deleteItem /items/{id}/ 404","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,userId,msg 30 DELETE /items/3/ 404 number number"}],
  ["PUT /items/",{"status":405,"headers":{"(security headers)":"all","allow":"HEAD, GET, POST","content-length":"138","content-type":"application/problem+json","x-request-id":"*"},"body":"837519a45e51212a","route":"unmatched 405","span":"PUT - 405","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,msg 30 PUT /items/ 405 number undefined"}],
  ["OPTIONS /items/",{"status":200,"headers":{"(security headers)":"all","allow":"HEAD, GET, POST","content-length":"0","content-type":"text/plain; charset=utf-8","x-request-id":"*"},"body":"e3b0c44298fc1c14","route":"unmatched 200","span":"OPTIONS - 200","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,msg 30 OPTIONS /items/ 200 number undefined"}],
  ["OPTIONS /items/{lamp}/",{"status":200,"headers":{"(security headers)":"all","allow":"HEAD, GET, PUT, PATCH, DELETE","content-length":"0","content-type":"text/plain; charset=utf-8","x-request-id":"*"},"body":"e3b0c44298fc1c14","route":"unmatched 200","span":"OPTIONS - 200","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,msg 30 OPTIONS /items/1/ 200 number undefined"}],
  ["PROPFIND /items/",{"status":501,"headers":{"(security headers)":"all","allow":"HEAD, GET, POST","content-length":"112","content-type":"application/problem+json","x-request-id":"*"},"body":"8ff09a1a8b89423c","route":"unmatched 501","span":"PROPFIND - 501","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,msg 30 PROPFIND /items/ 501 number undefined"}],
  ["GET /nothing/",{"status":404,"headers":{"(security headers)":"all","content-length":"99","content-type":"application/problem+json","x-request-id":"*"},"body":"08aac862c372d56d","route":"unmatched 404","span":"GET - 404","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,msg 30 GET /nothing/ 404 number undefined"}],
  ["GET /items//",{"status":404,"headers":{"(security headers)":"all","content-length":"98","content-type":"application/problem+json","x-request-id":"*"},"body":"503ef1e2152ef83b","route":"unmatched 404","span":"GET - 404","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,msg 30 GET /items// 404 number undefined"}],
  ["POST /users/token/revoke",{"status":200,"headers":{"(security headers)":"all","cache-control":"no-store","content-length":"0","x-request-id":"*"},"body":"e3b0c44298fc1c14","route":"/users/token/revoke/ 200","span":"revokeToken /users/token/revoke/ 200","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,msg 30 POST /users/token/revoke 200 number undefined"}],
  ["GET /admin/users/",{"status":200,"headers":{"(security headers)":"all","content-length":"*","content-type":"application/json; charset=utf-8","x-request-id":"*"},"body":"*","route":"/admin/users/ 200","span":"listUsers /admin/users/ 200","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,userId,msg 30 GET /admin/users/ 200 number number"}],
  ["GET /admin/users/?limit=1&ordering=-id&is_staff=false",{"status":200,"headers":{"(security headers)":"all","content-length":"*","content-type":"application/json; charset=utf-8","x-request-id":"*"},"body":"*","route":"/admin/users/ 200","span":"listUsers /admin/users/ 200","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,userId,msg 30 GET /admin/users/ 200 number number"}],
  ["GET /admin/users/ (not staff)",{"status":403,"headers":{"(security headers)":"all","content-length":"108","content-type":"application/problem+json","x-request-id":"*"},"body":"9a8a654bfa009472","route":"/admin/users/ 403","span":"listUsers /admin/users/ 403","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,userId,msg 30 GET /admin/users/ 403 number number"}],
  ["GET /admin/users/?limit=0",{"status":400,"headers":{"(security headers)":"all","content-length":"177","content-type":"application/problem+json","x-request-id":"*"},"body":"a6e89a476b9b0569","route":"/admin/users/ 400","span":"listUsers /admin/users/ 400","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,userId,msg 30 GET /admin/users/ 400 number number"}],
  ["GET /admin/users/{alice}/",{"status":200,"headers":{"(security headers)":"all","content-length":"*","content-type":"application/json; charset=utf-8","x-request-id":"*"},"body":"*","route":"/admin/users/:id/ 200","span":"getUser /admin/users/{id}/ 200","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,userId,msg 30 GET /admin/users/1/ 200 number number"}],
  ["GET /admin/users/999999/",{"status":404,"headers":{"(security headers)":"all","content-length":"101","content-type":"application/problem+json","x-request-id":"*"},"body":"2b4db7813a23f535","route":"/admin/users/:id/ 404","span":"getUser /admin/users/{id}/ 404","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,userId,msg 30 GET /admin/users/999999/ 404 number number"}],
  ["PATCH /admin/users/{bob}/",{"status":200,"headers":{"(security headers)":"all","content-length":"*","content-type":"application/json; charset=utf-8","x-request-id":"*"},"body":"*","route":"/admin/users/:id/ 200","span":"changeUser /admin/users/{id}/ 200","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,userId,msg 30 PATCH /admin/users/2/ 200 number number"}],
  ["PATCH /admin/users/{admin}/ (self)",{"status":409,"headers":{"(security headers)":"all","content-length":"183","content-type":"application/problem+json","x-request-id":"*"},"body":"ffc34d106b19c493","route":"/admin/users/:id/ 409","span":"changeUser /admin/users/{id}/ 409","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,userId,msg 30 PATCH /admin/users/4/ 409 number number"}],
  ["PATCH /admin/users/{alice}/ (not staff)",{"status":403,"headers":{"(security headers)":"all","content-length":"108","content-type":"application/problem+json","x-request-id":"*"},"body":"9a8a654bfa009472","route":"/admin/users/:id/ 403","span":"changeUser /admin/users/{id}/ 403","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,userId,msg 30 PATCH /admin/users/1/ 403 number number"}],
  ["GET /.well-known/oauth-protected-resource/gh",{"status":200,"headers":{"(security headers)":"all","content-length":"349","content-type":"application/json; charset=utf-8","x-request-id":"*"},"body":"a56e63729d43c62d","route":"/.well-known/oauth-protected-resource/:resourcePath 200","span":"getProtectedResourceMetadataUnderPath /.well-known/oauth-protected-resource/{resourcePath} 200","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,msg 30 GET /.well-known/oauth-protected-resource/gh 200 number undefined"}],
  ["GET /.well-known/oauth-protected-resource/other",{"status":404,"headers":{"(security headers)":"all","content-length":"111","content-type":"application/problem+json","x-request-id":"*"},"body":"291234eda769d15a","route":"/.well-known/oauth-protected-resource/:resourcePath 404","span":"getProtectedResourceMetadataUnderPath /.well-known/oauth-protected-resource/{resourcePath} 404","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,msg 30 GET /.well-known/oauth-protected-resource/other 404 number undefined"}],
  ["GET /.well-known/oauth-authorization-server/gh",{"status":200,"headers":{"(security headers)":"all","content-length":"527","content-type":"application/json; charset=utf-8","x-request-id":"*"},"body":"4da213ee3f90d948","route":"/.well-known/oauth-authorization-server/:issuerPath 200","span":"getAuthorizationServerMetadataUnderPath /.well-known/oauth-authorization-server/{issuerPath} 200","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,msg 30 GET /.well-known/oauth-authorization-server/gh 200 number undefined"}],
  ["GET /.well-known/oauth-authorization-server/other",{"status":404,"headers":{"(security headers)":"all","content-length":"111","content-type":"application/problem+json","x-request-id":"*"},"body":"291234eda769d15a","route":"/.well-known/oauth-authorization-server/:issuerPath 404","span":"getAuthorizationServerMetadataUnderPath /.well-known/oauth-authorization-server/{issuerPath} 404","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,msg 30 GET /.well-known/oauth-authorization-server/other 404 number undefined"}],
  ["GET /healthz (given id)",{"status":200,"headers":{"(security headers)":"all","content-length":"15","content-type":"application/json; charset=utf-8","x-request-id":"wire-request-1"},"body":"a29ee2b15c494311","route":"/healthz 200","span":"GET /healthz /healthz 200","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,msg 30 GET /healthz 200 number undefined"}],
  ["GET /items/ (given id)",{"status":200,"headers":{"(security headers)":"all","content-length":"*","content-type":"application/json; charset=utf-8","x-request-id":"wire-request-2"},"body":"*","route":"/items/ 200","span":"listItems /items/ 200","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,userId,msg 30 GET /items/ 200 number number"}],
  ["GET /items/ (bad id)",{"status":200,"headers":{"(security headers)":"all","content-length":"*","content-type":"application/json; charset=utf-8","x-request-id":"*"},"body":"*","route":"/items/ 200","span":"listItems /items/ 200","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,userId,msg 30 GET /items/ 200 number number"}],
];

const EXPECTED_CORS: [string, Seen][] = [
  ["GET /items/?limit=1 (allowed origin)",{"status":200,"headers":{"(security headers)":"all","access-control-allow-origin":"https://app.example.com","access-control-expose-headers":"Location,ETag,Retry-After,WWW-Authenticate,X-Request-Id","content-length":"*","content-type":"application/json; charset=utf-8","vary":"Origin","x-request-id":"*"},"body":"*","route":"/items/ 200","span":"listItems /items/ 200","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,userId,msg 30 GET /items/ 200 number number"}],
  ["GET /items/?limit=1 (other origin)",{"status":200,"headers":{"(security headers)":"all","content-length":"*","content-type":"application/json; charset=utf-8","vary":"Origin","x-request-id":"*"},"body":"*","route":"/items/ 200","span":"listItems /items/ 200","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,userId,msg 30 GET /items/ 200 number number"}],
  ["GET /items/?limit=1 (no origin)",{"status":200,"headers":{"(security headers)":"all","content-length":"*","content-type":"application/json; charset=utf-8","vary":"Origin","x-request-id":"*"},"body":"*","route":"/items/ 200","span":"listItems /items/ 200","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,userId,msg 30 GET /items/ 200 number number"}],
  ["GET /items/ (allowed origin, no token)",{"status":401,"headers":{"(security headers)":"all","access-control-allow-origin":"https://app.example.com","access-control-expose-headers":"Location,ETag,Retry-After,WWW-Authenticate,X-Request-Id","content-length":"128","content-type":"application/problem+json","vary":"Origin","www-authenticate":"Bearer realm=\"gatehouse\", resource_metadata=\"https://api.example.com/gh/.well-known/oauth-protected-resource\", DPoP realm=\"gatehouse\", algs=\"ES256 ES384 RS256 PS256 EdDSA\", resource_metadata=\"https://api.example.com/gh/.well-known/oauth-protected-resource\"","x-request-id":"*"},"body":"e01c53af1834b539","route":"/items/ 401","span":"listItems /items/ 401","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,msg 30 GET /items/ 401 number undefined"}],
  ["POST /items/ (allowed origin)",{"status":201,"headers":{"(security headers)":"all","access-control-allow-origin":"https://app.example.com","access-control-expose-headers":"Location,ETag,Retry-After,WWW-Authenticate,X-Request-Id","content-length":"*","content-type":"application/json; charset=utf-8","etag":"*","location":"*","vary":"Origin","x-request-id":"*"},"body":"*","route":"/items/ 201","span":"createItem /items/ 201","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,userId,msg 30 POST /items/ 201 number number"}],
  ["OPTIONS /items/ (preflight)",{"status":204,"headers":{"access-control-allow-headers":"Authorization,Content-Type,If-Match,If-None-Match,Idempotency-Key,X-Request-Id","access-control-allow-methods":"GET,POST,PUT,PATCH,DELETE","access-control-allow-origin":"https://app.example.com","access-control-max-age":"600","vary":"Origin","x-request-id":"*"},"body":"e3b0c44298fc1c14","route":"unmatched 204","span":"OPTIONS - 204","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,msg 30 OPTIONS /items/ 204 number undefined"}],
  ["OPTIONS /items/{lamp}/ (preflight, other origin)",{"status":200,"headers":{"(security headers)":"all","allow":"HEAD, GET, PUT, PATCH, DELETE","content-length":"0","content-type":"text/plain; charset=utf-8","vary":"Origin","x-request-id":"*"},"body":"e3b0c44298fc1c14","route":"unmatched 200","span":"OPTIONS - 200","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,msg 30 OPTIONS /items/%7Blamp%7D/ 200 number undefined"}],
  ["GET /nothing/ (allowed origin)",{"status":404,"headers":{"(security headers)":"all","access-control-allow-origin":"https://app.example.com","access-control-expose-headers":"Location,ETag,Retry-After,WWW-Authenticate,X-Request-Id","content-length":"99","content-type":"application/problem+json","vary":"Origin","x-request-id":"*"},"body":"08aac862c372d56d","route":"unmatched 404","span":"GET - 404","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,msg 30 GET /nothing/ 404 number undefined"}],
  ["GET /healthz (allowed origin)",{"status":200,"headers":{"(security headers)":"all","access-control-allow-origin":"https://app.example.com","access-control-expose-headers":"Location,ETag,Retry-After,WWW-Authenticate,X-Request-Id","content-length":"15","content-type":"application/json; charset=utf-8","vary":"Origin","x-request-id":"*"},"body":"a29ee2b15c494311","route":"/healthz 200","span":"GET /healthz /healthz 200","log":"level,time,pid,hostname,trace_id,span_id,requestId,method,path,status,ms,msg 30 GET /healthz 200 number undefined"}],
];

describe('the API operations on the wire', function () {
  this.timeout(180_000);
  let receiver: OtlpReceiver;
  const seen = new Map<string, Seen>();
  const seenCors = new Map<string, Seen>();

  before(async function () {
    requireService(this, await postgresAvailable(), 'PostgreSQL on 127.0.0.1:5432');
    receiver = await processOtlpReceiver();
    const traces = new Map<string, [Map<string, Seen>, string]>();
    await record(seen, REQUESTS, { PUBLIC_URL, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.url }, traces);
    await record(seenCors, CORS_REQUESTS, { PUBLIC_URL, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.url, CORS_ORIGINS: ALLOWED_ORIGIN }, traces);
    for (const span of receiver.spans().filter((s) => traces.has(s.traceId) && s.kind === 2)) {
      const [into, request] = traces.get(span.traceId)!;
      into.get(request)!.span = `${span.name} ${span.attributes['http.route'] ?? '-'} ${span.attributes['http.response.status_code']}`;
    }
    if (process.env.OPERATIONS_WIRE_PRINT) {
      for (const [title, table] of [['EXPECTED', seen], ['EXPECTED_CORS', seenCors]] as const) {
        console.log(`const ${title}: [string, Seen][] = [\n${[...table].map((entry) => `  ${JSON.stringify(entry)},`).join('\n')}\n];`);
      }
    }
  });

  for (const [title, table, got] of [['', EXPECTED, seen], ['CORS: ', EXPECTED_CORS, seenCors]] as const) {
    it(`${title}every request was expected`, () => expect([...got.keys()]).to.deep.equal(table.map(([request]) => request)));
    for (const [request, expected] of table) {
      it(`${title}${request}: ${expected.status}, the same headers, body, metrics label, span and log line`, () => {
        expect(got.get(request)).to.deep.equal(expected);
      });
    }
  }
});

/** Starts a server (PostgreSQL, embedded authorization server), sends `requests` in order, and closes it (which flushes its spans). */
async function record(into: Map<string, Seen>, requests: [string, Sent][], env: Record<string, string>, traces: Map<string, [Map<string, Seen>, string]>): Promise<void> {
  const server = await startTestGatehouse({ database: 'postgres', auth: 'embedded', env });
  try {
    const api = new ApiClient(server.url);
    const users = { alice: await api.newUser('alice'), bob: await api.newUser('bob'), dave: await api.newUser('dave'), admin: await api.newUser('admin') };
    await makeSuperuser(server.databaseUrl!, users.admin.id);
    await new Promise((done) => setTimeout(done, 300)); // the retirement channel's news reaches the instance
    const saved: Record<string, string> = { alice: String(users.alice.id), bob: String(users.bob.id), admin: String(users.admin.id) };
    const tokens: Record<Who, string | undefined> = {
      alice: users.alice.token, bob: users.bob.token, dave: users.dave.token, admin: users.admin.token, carol: undefined, none: undefined, junk: 'junk-access-token-0123456789',
    };
    const fill = (text: string) => text.replace(/\{(\w+)\}/g, (_, name: string) => saved[name] ?? `{${name}}`);
    let before = await counts(server);
    for (const [request, sent] of requests) {
      const [method, rawPath] = request.split(' ') as [string, string];
      const path = fill(rawPath.trim());
      const traceId = randomBytes(16).toString('hex');
      traces.set(traceId, [into, request]);
      const headers: Record<string, string> = { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` };
      for (const [name, value] of Object.entries(sent.headers ?? {})) headers[name] = fill(value);
      let body: string | undefined;
      if (sent.json !== undefined) { body = fill(JSON.stringify(sent.json)); headers['Content-Type'] = 'application/json'; }
      if (sent.form) { body = new URLSearchParams(sent.form).toString(); headers['Content-Type'] = 'application/x-www-form-urlencoded'; }
      if (sent.raw) { body = sent.raw.body; headers['Content-Type'] = sent.raw.type; }
      const token = sent.who ? tokens[sent.who] : undefined;
      if (token) headers.Authorization = `Bearer ${token}`;
      const res = await fetch(`${server.url}${path}`, { method, headers, body: body ?? null, redirect: 'manual' });
      const bytes = Buffer.from(await res.arrayBuffer());
      remember(request, res, bytes, saved);
      const answer: Record<string, string> = {};
      const helmet = Object.entries(EVERY_ANSWER).filter(([name, value]) => res.headers.get(name) === value).length;
      if (helmet > 0) answer['(security headers)'] = helmet === Object.keys(EVERY_ANSWER).length ? 'all' : `${helmet}`;
      res.headers.forEach((value, name) => {
        if (['date', 'connection', 'keep-alive'].includes(name) || EVERY_ANSWER[name] === value) return;
        const generated = (name === 'x-request-id' && value !== sent.headers?.['X-Request-Id']) || (sent.volatile && ['content-length', 'etag', 'location'].includes(name));
        answer[name] = generated ? '*' : value;
      });
      const after = await counts(server);
      into.set(request, {
        status: res.status, headers: answer, body: sent.volatile ? '*' : createHash('sha256').update(bytes).digest('hex').slice(0, 16),
        route: labelCounted(before, after), span: '', log: logLine(server, res.headers.get('x-request-id') ?? ''),
      });
      before = after;
    }
  } finally {
    await server.close();
  }
}

/** Values later requests use: the ids, the ETag, carol's tokens. */
function remember(request: string, res: Response, bytes: Buffer, saved: Record<string, string>): void {
  const json = () => JSON.parse(bytes.toString('utf8'));
  if (request === 'POST /items/') { saved.lamp = String(json().id); saved.lampEtag = res.headers.get('etag') ?? ''; }
  if (request === 'POST /items (key)') saved.desk = String(json().id);
  if (request === 'POST /users/token/') saved.carolRefresh = json().refresh_token;
  if (request === 'POST /users/token/ (form)') saved.carolAccess = json().access_token;
}

/** The request's log line: its fields in order, and what it says but the duration and ids. */
function logLine(server: GatehouseUnderTest, requestId: string): string {
  const lines = server.logs.map((line) => JSON.parse(line)).filter((line) => line.msg === 'request' && line.requestId === requestId);
  if (lines.length !== 1) return `${lines.length} lines`;
  const [line] = lines;
  return `${Object.keys(line).join(',')} ${line.level} ${line.method} ${line.path} ${line.status} ${typeof line.ms} ${typeof line.userId}`;
}

/** Request counts by label; a scrape is counted once it is answered, so by the next one. */
async function counts(server: GatehouseUnderTest): Promise<Map<string, number>> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  return new Map([...text.matchAll(/gatehouse_http_request_duration_seconds_count\{route="([^"]*)",method="(\w+)",status="(\d+)"\} (\d+)/g)]
    .map((m) => [`${m[2]} ${m[1]} ${m[3]}`, Number(m[4])]));
}

/** The route label one request was counted under, between two scrapes (less the first scrape itself). */
function labelCounted(before: Map<string, number>, after: Map<string, number>): string {
  const grown = [...after].flatMap(([key, n]) => Array(n - (before.get(key) ?? 0) - (key === 'GET /metrics 200' ? 1 : 0)).fill(key));
  return grown.map((key: string) => key.split(' ').slice(1).join(' ')).join(' ');
}
