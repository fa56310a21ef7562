import { InvalidDpopProof } from '../../../domain/errors.js';

/**
 * RFC 9449 §4.3 point 6 asks for a public key; this also asks for one a signature check stays cheap
 * with, since anyone can send a proof before Gatehouse knows whether its token is good. An RSA key
 * with a ~3070-bit public exponent cost 10× a token check per request; these bounds keep every
 * accepted key near an ES256 proof's cost (`npm run bench:dpop`).
 */
const RSA_BITS = { min: 2048, max: 4096 } as const;
const RSA_EXPONENT = 'AQAB'; // 65537, the only exponent in use; any other is refused, not measured
const EC_COORDINATE_BYTES: Record<string, number> = { 'P-256': 32, 'P-384': 48 };
/** Which key each accepted algorithm needs: an ES384 proof with a P-256 key is refused here, by name. */
const KEY_OF_ALG: Record<string, string> = { ES256: 'EC P-256', ES384: 'EC P-384', RS256: 'RSA', PS256: 'RSA', EdDSA: 'OKP Ed25519' };
/** RFC 7518 §6.2.2, §6.3.2, §6.4: a JWK holding any of these carries (part of) a private or secret key. */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

/** Throws InvalidDpopProof, naming what is wrong, unless `jwk` is a public key of an accepted shape for `alg`. */
export function checkProofKey(jwk: unknown, alg: string): void {
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) throw refused('the proof\'s header needs a jwk object');
  const key = jwk as Record<string, unknown>;
  const secret = PRIVATE_MEMBERS.filter((member) => member in key);
  if (secret.length) throw refused(`the proof's jwk must be a public key: it carries private member${secret.length > 1 ? 's' : ''} ${secret.join(', ')}`);
  const kind = key.kty === 'EC' || key.kty === 'OKP' ? `${String(key.kty)} ${String(key.crv)}` : String(key.kty);
  if (KEY_OF_ALG[alg] !== kind) throw refused(`a proof signed with ${alg} needs a ${KEY_OF_ALG[alg] ?? 'known'} jwk, not ${kind}`);
  if (key.kty === 'RSA') checkRsa(key);
  else if (key.kty === 'EC') checkEc(key, EC_COORDINATE_BYTES[String(key.crv)]!);
  else if (bytes(key.x) !== 32) throw refused('the proof\'s Ed25519 jwk needs a 32-byte x');
}

function checkRsa({ n, e }: Record<string, unknown>): void {
  if (e !== RSA_EXPONENT) throw refused('the proof\'s RSA jwk must have the public exponent 65537 (e = AQAB)');
  const modulus = typeof n === 'string' ? decoded(n) : undefined;
  const bits = modulus ? bitLength(modulus) : 0;
  if (bits < RSA_BITS.min || bits > RSA_BITS.max) {
    throw refused(`the proof's RSA jwk must have a ${RSA_BITS.min}- to ${RSA_BITS.max}-bit modulus${bits ? `, not ${bits} bits` : ''}`);
  }
}

function checkEc({ crv, x, y }: Record<string, unknown>, size: number): void {
  if (bytes(x) !== size || bytes(y) !== size) throw refused(`the proof's ${String(crv)} jwk needs ${size}-byte x and y`);
  if (!onCurve(CURVES[String(crv)]!, integer(x as string), integer(y as string))) throw refused(`the proof's jwk is not a point on ${String(crv)}`);
}

/**
 * FIPS 186-4 D.1.2 (y² = x³ − 3x + b mod p), in BigInt: OpenSSL's own check (createPublicKey) also
 * multiplies by the group order, which made a P-384 proof with a junk token cost ~600 µs before the
 * token was even looked up; this costs a few µs. Both curves have cofactor 1, so a point on the
 * curve is in the group.
 */
const CURVES: Record<string, { p: bigint; b: bigint }> = {
  'P-256': { p: 2n ** 256n - 2n ** 224n + 2n ** 192n + 2n ** 96n - 1n, b: 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn },
  'P-384': { p: 2n ** 384n - 2n ** 128n - 2n ** 96n + 2n ** 32n - 1n, b: 0xb3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aefn },
};
function onCurve({ p, b }: { p: bigint; b: bigint }, x: bigint, y: bigint): boolean {
  if (x >= p || y >= p) return false;
  return (y * y - (x * x * x - 3n * x + b)) % p === 0n;
}
const integer = (value: string): bigint => BigInt(`0x${Buffer.from(value, 'base64url').toString('hex') || '0'}`);

const refused = (why: string) => new InvalidDpopProof(why);
const BASE64URL = /^[A-Za-z0-9_-]*$/;
const decoded = (value: string): Buffer | undefined => (BASE64URL.test(value) ? Buffer.from(value, 'base64url') : undefined);
const bytes = (value: unknown): number => (typeof value === 'string' ? decoded(value)?.length ?? -1 : -1);

function bitLength(n: Buffer): number {
  const first = n.findIndex((byte) => byte !== 0);
  return first < 0 ? 0 : (n.length - first - 1) * 8 + (32 - Math.clz32(n[first]!));
}
