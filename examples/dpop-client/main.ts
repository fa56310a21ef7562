// A DPoP client of Gatehouse with oauth4webapi, given nothing but the resource's URL:
//   npx tsx examples/dpop-client/main.ts http://127.0.0.1:8001
// RFC 9728 resource metadata names the authorization server, whose RFC 8414 metadata names the
// token and revocation endpoints. Every token is bound to a key made here (RFC 9449), and every
// request carries a fresh proof signed with it; a server that wants nonces gets them.
import * as oauth from 'oauth4webapi';

const resource = new URL(process.argv[2] ?? process.env.GATEHOUSE_URL ?? 'http://127.0.0.1:8001');
// Plain http is for a server on this machine; drop the option for an https one.
const http = resource.protocol === 'http:' ? { [oauth.allowInsecureRequests]: true } : {};

// Sign-up is Gatehouse's own (OAuth has none): a fresh account for this run.
const email = `dpop-example-${Date.now()}@example.com`;
const password = 'correct horse battery';
const signedUp = await fetch(new URL('/users/signup/', resource), {
  method: 'POST', headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify({ email, password, password2: password }),
});
if (signedUp.status !== 201) throw new Error(`sign-up: ${signedUp.status} ${await signedUp.text()}`);
console.log(`signed up ${email}`);

const resourceMetadata = await oauth.processResourceDiscoveryResponse(resource, await oauth.resourceDiscoveryRequest(resource, http));
const issuer = new URL(resourceMetadata.authorization_servers![0]!);
const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...http }));
console.log(`discovered ${issuer.href}: token endpoint ${as.token_endpoint}, revocation endpoint ${as.revocation_endpoint}`);

// A public client: Gatehouse's token endpoint takes no client secret.
const client: oauth.Client = { client_id: 'dpop-example' };
const noSecret = oauth.None();
const keyPair = await oauth.generateKeyPair('ES256');
const DPoP = oauth.DPoP(client, keyPair);
const options = { DPoP, ...http };

// With DPOP_NONCE=true the first proof is refused with use_dpop_nonce; the handle keeps the nonce
// from that answer, so the same call, made again, carries it.
let nonceRetries = 0;
async function withNonce<T>(call: () => Promise<T>): Promise<T> {
  try { return await call(); } catch (err) {
    if (!oauth.isDPoPNonceError(err)) throw err;
    nonceRetries++;
    return call();
  }
}

const signedIn = await withNonce(async () => oauth.processGenericTokenEndpointResponse(as, client,
  await oauth.genericTokenEndpointRequest(as, client, noSecret, 'password', { username: email, password, scope: 'read write' }, options)));
console.log(`signed in: token_type ${signedIn.token_type}, bound to key ${await thumbprint(keyPair)}, ${nonceRetries} nonce retry(ies)`);

const api = (token: string, method: string, path: string, body?: unknown) => withNonce(() => oauth.protectedResourceRequest(token, method, new URL(path, resource),
  new Headers(body ? { 'Content-Type': 'application/json' } : {}), body ? JSON.stringify(body) : undefined, options));

const created = await api(signedIn.access_token, 'POST', '/items/', { name: `dpop-lamp-${Date.now()}`, description: 'made with a DPoP-bound token', price: '12.50' });
if (created.status !== 201) throw new Error(`POST /items/: ${created.status} ${await created.text()}`);
const item = await created.json() as { id: number; name: string };
console.log(`POST /items/: ${created.status}, item ${item.id} "${item.name}"`);

const listed = await api(signedIn.access_token, 'GET', '/items/?limit=10');
const page = await listed.json() as { results: unknown[] };
console.log(`GET /items/: ${listed.status}, ${page.results.length} item(s)`);

// The refresh grant at the discovered token endpoint, with a proof by the same key: the refresh
// token of a bound pair refreshes only so.
const refreshed = await withNonce(async () => oauth.processRefreshTokenResponse(as, client,
  await oauth.refreshTokenGrantRequest(as, client, noSecret, signedIn.refresh_token!, options)));
console.log(`refreshed: token_type ${refreshed.token_type}, a new access token: ${refreshed.access_token !== signedIn.access_token}`);
console.log(`GET /items/ with it: ${(await api(refreshed.access_token, 'GET', '/items/?limit=1')).status}`);

// Signing out: revoking the refresh token ends the session (RFC 7009), its access token with it.
await oauth.processRevocationResponse(await oauth.revocationRequest(as, client, noSecret, refreshed.refresh_token!, { ...http, additionalParameters: { token_type_hint: 'refresh_token' } }));
console.log('signed out: refresh token revoked');
try {
  await api(refreshed.access_token, 'GET', '/items/?limit=1');
  console.log('GET /items/ after sign-out: still accepted');
} catch (err) {
  if (!(err instanceof oauth.WWWAuthenticateChallengeError)) throw err;
  const dpopChallenge = err.cause.find((challenge) => challenge.scheme === 'dpop');
  console.log(`GET /items/ after sign-out: ${err.status} ${dpopChallenge?.parameters.error}`);
}

/** The key's RFC 7638 thumbprint, what the server binds the tokens to (their `cnf.jkt`). */
async function thumbprint({ publicKey }: CryptoKeyPair): Promise<string> {
  const { crv, kty, x, y } = await crypto.subtle.exportKey('jwk', publicKey);
  const canonical = JSON.stringify({ crv, kty, x, y }); // members in lexicographic order, as RFC 7638 asks
  return Buffer.from(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(canonical))).toString('base64url');
}
