// `npm run bench:dpop [n]`: the CPU a DPoP proof costs Gatehouse, per kind of key, against an ES256
// proof's full check (what every request of a DPoP client costs). Anyone can send a proof without a
// good token; the bar is that such a proof costs at most 2× the ES256 check. At the resource the
// proof's signature is checked only once the token is known to be bound to its key, and at the token
// endpoints only once the password or the refresh token is good, so a proof sent with credentials
// that are not good costs its `inspect` (decoding, the key's shape, the claims, the thumbprint): the
// `inspect only` rows. The full check is what a client with good credentials pays.
// Kinds run interleaved, 9 rounds of n fresh proofs; the median of the rounds is printed.
import { createHash, createPublicKey, generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { importJWK, SignJWT, type JWK } from 'jose';
import { DPOP_ALGORITHMS, proofVerifier } from '../../src/adapters/http/dpop/proof.js';

const URL_ = 'https://api.example.com/items/';
const TOKEN = 'a-junk-access-token';
const verifier = proofVerifier({ algorithms: DPOP_ALGORITHMS, iatWindowSeconds: 60, required: false }, { firstUse: async () => true });
const check = { method: 'GET', url: URL_, accessToken: TOKEN };

interface Kind { label: string; alg: string; privateJwk: JWK; publicJwk: JWK }
function kind(label: string, alg: string, privateKey: ReturnType<typeof generateKeyPairSync>['privateKey'], publicJwk?: JWK): Kind {
  return { label, alg, privateJwk: privateKey.export({ format: 'jwk' }) as JWK, publicJwk: publicJwk ?? createPublicKey(privateKey).export({ format: 'jwk' }) as JWK };
}
const rsa = (bits: number) => generateKeyPairSync('rsa', { modulusLength: bits, publicExponent: 65537 }).privateKey;
const rsa4096 = rsa(4096);
const es256 = kind('ES256 P-256', 'ES256', generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey);
const kinds: Kind[] = [
  es256,
  kind('ES384 P-384', 'ES384', generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey),
  kind('EdDSA Ed25519', 'EdDSA', generateKeyPairSync('ed25519').privateKey),
  kind('RS256 RSA-2048', 'RS256', rsa(2048)),
  kind('RS256 RSA-4096', 'RS256', rsa4096),
  kind('PS256 RSA-4096', 'PS256', rsa4096),
];
// What the attack of issue-era main sent: a 3072-bit modulus with a ~3070-bit exponent; refused by shape now.
const hugeExponent: JWK = { kty: 'RSA', n: (createPublicKey(rsa(3072)).export({ format: 'jwk' }) as JWK).n!, e: Buffer.concat([Buffer.from([0x40]), randomBytes(383)]).toString('base64url') };

async function proofs(k: Kind, n: number): Promise<string[]> {
  const key = await importJWK(k.privateJwk, k.alg);
  const ath = createHash('sha256').update(TOKEN).digest('base64url');
  return Promise.all(Array.from({ length: n }, () => new SignJWT({ htm: 'GET', htu: URL_, iat: Math.floor(Date.now() / 1000), jti: randomUUID(), ath })
    .setProtectedHeader({ typ: 'dpop+jwt', alg: k.alg, jwk: k === hugeKind ? hugeExponent : k.publicJwk } as never).sign(key)));
}
const hugeKind: Kind = { ...kind('RS256 RSA-3072, 3070-bit e (refused by shape)', 'RS256', rsa(3072)) };

/** µs of CPU per proof, the process's (jose's WebCrypto work runs on libuv threads, counted too). */
async function cpu(batch: string[], step: (p: string) => Promise<unknown>): Promise<number> {
  const started = process.cpuUsage();
  for (const p of batch) await step(p).catch(() => undefined);
  const used = process.cpuUsage(started);
  return (used.user + used.system) / batch.length;
}
const full = async (p: string) => (await verifier.inspect(p, check)).confirm();
const inspectOnly = (p: string) => verifier.inspect(p, check);

const rows: [string, (n: number) => Promise<number>][] = [
  ...kinds.map((k): [string, (n: number) => Promise<number>] => [`full check        ${k.label}`, async (n) => cpu(await proofs(k, n), full)]),
  ...kinds.map((k): [string, (n: number) => Promise<number>] => [`unauthenticated   ${k.label} (inspect only)`, async (n) => cpu(await proofs(k, n), inspectOnly)]),
  [`refused by shape  ${hugeKind.label}`, async (n) => cpu(await proofs(hugeKind, n), full)],
];
const n = Number(process.argv[2] ?? 100);
const samples = rows.map(() => [] as number[]);
for (const [, run] of rows) await run(20); // warm-up
for (let round = 0; round < 9; round++) for (const [i, [, run]] of rows.entries()) samples[i]!.push(await run(n));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const yardstick = median(samples[0]!);
console.log(`DPoP proofs: CPU µs per proof, median of 9 rounds of ${n}; ratio to the ES256 full check`);
for (const [i, [label]] of rows.entries()) console.log(`  ${median(samples[i]!).toFixed(0).padStart(6)} µs  ${(median(samples[i]!) / yardstick).toFixed(2).padStart(5)}×  ${label}`);
