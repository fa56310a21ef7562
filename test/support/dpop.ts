import { constants, createHash, createPublicKey, generateKeyPairSync, randomBytes, randomUUID, sign, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { ApiClient } from './api-client.js';

/** A client's DPoP key pair (RFC 9449): the private key signs proofs, the public one goes in them. */
export interface DpopKey {
  privateKey: CryptoKey;
  publicJwk: JWK;
  alg: string;
  /** RFC 7638 thumbprint: what a bound token's cnf.jkt names. */
  jkt: string;
}

export async function newDpopKey(alg = 'ES256'): Promise<DpopKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  return { privateKey, publicJwk, alg, jkt: await calculateJwkThumbprint(publicJwk, 'sha256') };
}

export interface ProofOptions {
  method: string;
  url: string | URL;
  /** The access token the proof goes with (its hash becomes `ath`). */
  token?: string;
  jti?: string;
  iat?: number;
  nonce?: string;
  /** Anything to put in or take out of the claims or the header, to make a proof wrong in one way. */
  claims?: Record<string, unknown>;
  header?: Record<string, unknown>;
  omit?: string[];
}

/** A DPoP proof as a careful client makes it, then changed as `options` say. */
export async function proof(key: DpopKey, options: ProofOptions): Promise<string> {
  const target = new URL(options.url);
  const claims: Record<string, unknown> = {
    htm: options.method, htu: `${target.origin}${target.pathname}`, iat: options.iat ?? Math.floor(Date.now() / 1000),
    jti: options.jti ?? randomUUID(),
    ...(options.token ? { ath: createHash('sha256').update(options.token).digest('base64url') } : {}),
    ...(options.nonce ? { nonce: options.nonce } : {}),
    ...options.claims,
  };
  for (const name of options.omit ?? []) delete claims[name];
  return new SignJWT(claims).setProtectedHeader({ typ: 'dpop+jwt', alg: key.alg, jwk: key.publicJwk, ...options.header } as never).sign(key.privateKey);
}

/** An ApiClient whose tokens are DPoP-bound to one key: it asks for bound pairs and sends a fresh proof with every request. */
export class DpopApiClient extends ApiClient {
  constructor(baseUrl: string, readonly key: DpopKey) { super(baseUrl); }

  protected override async credentials(method: string, url: URL, token: string): Promise<Record<string, string>> {
    return { Authorization: `DPoP ${token}`, DPoP: await proof(this.key, { method, url, token }) };
  }

  protected override async tokenRequestHeaders(url: URL): Promise<Record<string, string>> {
    return { DPoP: await proof(this.key, { method: 'POST', url }) };
  }
}

/** A key Gatehouse must refuse in a proof's header, whatever the proof says, and the reason it must give. */
export interface UnacceptableProofKey {
  what: string;
  alg: string;
  jwk: Record<string, unknown>;
  /** Signs the proof, so that only the jwk's shape is wrong (where a real key of that shape exists). */
  signer: KeyObject;
  /** What the refusal's description must say. */
  reason: RegExp;
}

/** One proof key of each shape RFC 9449 §4.3 or the cost of checking it rules out. */
export async function unacceptableProofKeys(): Promise<UnacceptableProofKey[]> {
  const rsa = (modulusLength: number, publicExponent = 65537) => generateKeyPairSync('rsa', { modulusLength, publicExponent }).privateKey;
  const publicOf = (key: KeyObject) => createPublicKey(key).export({ format: 'jwk' }) as Record<string, unknown>;
  const rsa2048 = rsa(2048);
  const { d: _d, ...rsaWithoutD } = rsa2048.export({ format: 'jwk' }) as Record<string, unknown>;
  const p256 = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
  const p256Public = publicOf(p256);
  const flipped = Buffer.from(p256Public.y as string, 'base64url');
  flipped[31]! ^= 1;
  const k1 = generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).privateKey;
  const ed448 = generateKeyPairSync('ed448').privateKey;
  const bigModulus = Buffer.concat([Buffer.from([0x80]), randomBytes(4608 / 8 - 1)]).toString('base64url');
  const hugeExponent = Buffer.concat([Buffer.from([0x40]), randomBytes(3070 / 8 - 1), Buffer.from([1])]).toString('base64url');
  return [
    { what: 'an RSA jwk with p, q, dp, dq and qi (no d)', alg: 'RS256', jwk: rsaWithoutD, signer: rsa2048, reason: /private members p, q, dp, dq, qi/ },
    { what: 'an EC jwk with d', alg: 'ES256', jwk: p256.export({ format: 'jwk' }) as Record<string, unknown>, signer: p256, reason: /private member d\b/ },
    { what: 'an RSA jwk with oth', alg: 'RS256', jwk: { ...publicOf(rsa2048), oth: [] }, signer: rsa2048, reason: /private member oth/ },
    { what: 'a jwk with a symmetric k', alg: 'ES256', jwk: { ...p256Public, k: 'c2VjcmV0' }, signer: p256, reason: /private member k\b/ },
    { what: 'an RSA exponent of 3', alg: 'RS256', jwk: publicOf(rsa(2048, 3)), signer: rsa2048, reason: /exponent 65537/ },
    { what: 'a 3070-bit RSA exponent', alg: 'RS256', jwk: { kty: 'RSA', n: publicOf(rsa2048).n, e: hugeExponent }, signer: rsa2048, reason: /exponent 65537/ },
    { what: 'a 1024-bit RSA modulus', alg: 'RS256', jwk: publicOf(rsa(1024)), signer: rsa(1024), reason: /2048- to 4096-bit modulus, not 1024 bits/ },
    { what: 'a 4608-bit RSA modulus', alg: 'PS256', jwk: { kty: 'RSA', n: bigModulus, e: 'AQAB' }, signer: rsa2048, reason: /not 4608 bits/ },
    { what: 'an EC point off P-256', alg: 'ES256', jwk: { ...p256Public, y: flipped.toString('base64url') }, signer: p256, reason: /not a point on P-256/ },
    { what: 'a P-256 jwk for ES384', alg: 'ES384', jwk: p256Public, signer: p256, reason: /needs a EC P-384 jwk, not EC P-256/ },
    { what: 'a secp256k1 jwk', alg: 'ES256', jwk: publicOf(k1), signer: k1, reason: /needs a EC P-256 jwk, not EC secp256k1/ },
    { what: 'an Ed448 jwk', alg: 'EdDSA', jwk: publicOf(ed448), signer: ed448, reason: /needs a OKP Ed25519 jwk, not OKP Ed448/ },
    { what: 'an RSA jwk for ES256', alg: 'ES256', jwk: publicOf(rsa2048), signer: p256, reason: /needs a EC P-256 jwk, not RSA/ },
  ];
}

/**
 * A proof signed with node:crypto, not jose, which refuses to sign with some of the keys above:
 * the point is what Gatehouse does with such a proof, not whether a library would make one.
 */
export function proofByKey(key: UnacceptableProofKey, options: ProofOptions): string {
  const target = new URL(options.url);
  const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const claims = {
    htm: options.method, htu: `${target.origin}${target.pathname}`, iat: Math.floor(Date.now() / 1000), jti: randomUUID(),
    ...(options.token ? { ath: createHash('sha256').update(options.token).digest('base64url') } : {}),
  };
  const input = `${part({ typ: 'dpop+jwt', alg: key.alg, jwk: key.jwk })}.${part(claims)}`;
  const digest = key.alg === 'EdDSA' ? null : key.alg.endsWith('384') ? 'sha384' : 'sha256';
  const options_ = key.alg.startsWith('ES') ? { key: key.signer, dsaEncoding: 'ieee-p1363' as const }
    : key.alg.startsWith('PS') ? { key: key.signer, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } : key.signer;
  let signature: Buffer;
  try { signature = sign(digest, Buffer.from(input), options_); } catch { signature = randomBytes(64); } // a curve it cannot sign with
  return `${input}.${signature.toString('base64url')}`;
}
