import { createHash, randomUUID } from 'node:crypto';
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
