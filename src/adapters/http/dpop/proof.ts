import { createHash } from 'node:crypto';
import type { JWK } from 'jose';
import { InvalidDpopProof, UseDpopNonce } from '../../../domain/errors.js';
import type { ProofReplayStore } from '../../../ports/proof-replay-store.js';
import { checkProofKey } from './proof-key.js';

/** RFC 9449 §4.2: asymmetric algorithms only. What Gatehouse accepts unless DPOP_ALGORITHMS says less. */
export const DPOP_ALGORITHMS = ['ES256', 'ES384', 'RS256', 'PS256', 'EdDSA'] as const;

export interface DpopSettings {
  /** Signature algorithms accepted in proofs (the `algs` of the DPoP challenge). */
  algorithms: readonly string[];
  /** How far a proof's `iat` may be from now, either way (DPOP_IAT_WINDOW_SECONDS, default 60). */
  iatWindowSeconds: number;
  /** DPOP_REQUIRED: refuse plain bearer tokens. */
  required: boolean;
}


/** Server-issued nonces (RFC 9449 §8), when on: `current()` to hand out, `accepts()` to check. */
export interface NonceSource {
  current(): Promise<string>;
  accepts(nonce: string): Promise<boolean>;
}

export interface ProofCheck {
  /** The request's method. */
  method: string;
  /** The request's URL as the client sees it: PUBLIC_URL and the path, without query or fragment. */
  url: string;
  /** The access token the proof goes with (its hash must be the proof's `ath`); absent at the token endpoint. */
  accessToken?: string;
}

/** A proof whose every claim is right for this request, its signature and jti not yet checked. */
export interface InspectedProof {
  /** The RFC 7638 thumbprint of the key in its header: what a bound token's cnf.jkt must name. */
  jkt: string;
  /**
   * The costly half, for once the token is known to be bound to `jkt`: the signature, then the
   * jti's first use, whose recording is itself the replay check (atomic in the store, so exact
   * across instances). @throws InvalidDpopProof
   */
  confirm(): Promise<void>;
}

export interface ProofVerifier {
  /** Everything that costs no signature check and writes nothing. @throws InvalidDpopProof, UseDpopNonce */
  inspect(proof: string, check: ProofCheck): Promise<InspectedProof>;
  settings: DpopSettings;
  /** Present when DPOP_NONCE=true. */
  nonces?: NonceSource;
}

/** Loaded on the first proof, not at start-up: most deployments see few or none. */
let jose: Promise<typeof import('jose')> | undefined;

/**
 * Checks a DPoP proof as RFC 9449 §4.3 lists: a JWT of type dpop+jwt signed with an allowed
 * asymmetric algorithm by the public key in its own `jwk` header (of a shape `checkProofKey`
 * accepts; `none` and HMAC never reach it), naming this request's method and URL, issued within
 * the window, with the access token's hash when one is sent, and a jti not seen before, by any
 * instance. The signature and the jti come last (`confirm`), so that a request with a token that
 * is not good costs no signature check and leaves no jti behind.
 */
export function proofVerifier(
  settings: DpopSettings, replays: ProofReplayStore, nonces?: NonceSource, now: () => number = Date.now,
): ProofVerifier {
  const inspect = async (proof: string, check: ProofCheck): Promise<InspectedProof> => {
    jose ??= import('jose');
    const { jwtVerify, EmbeddedJWK, calculateJwkThumbprint, decodeProtectedHeader, decodeJwt } = await jose;
    let header: ReturnType<typeof decodeProtectedHeader>;
    let claims: Record<string, unknown>;
    try {
      header = decodeProtectedHeader(proof);
      claims = decodeJwt(proof);
    } catch (err) {
      throw new InvalidDpopProof('the proof is not a JWT', { cause: err });
    }
    if (header.typ !== 'dpop+jwt') throw new InvalidDpopProof('the proof\'s typ must be dpop+jwt');
    if (!settings.algorithms.includes(String(header.alg))) {
      throw new InvalidDpopProof(`the proof must be signed with one of ${settings.algorithms.join(', ')}`);
    }
    checkProofKey(header.jwk, String(header.alg));
    checkClaims(claims, check, now() / 1000, settings.iatWindowSeconds);
    if (nonces && !(typeof claims.nonce === 'string' && await nonces.accepts(claims.nonce))) {
      throw new UseDpopNonce(await nonces.current());
    }
    const jkt = await calculateJwkThumbprint(header.jwk as JWK, 'sha256');
    const confirm = async () => {
      try {
        await jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt', algorithms: [...settings.algorithms] });
      } catch (err) {
        throw new InvalidDpopProof('the proof is not a JWT signed by the key in its header', { cause: err });
      }
      // Kept until no proof with this iat could be accepted any more, on any instance.
      const expiresAt = new Date(((claims.iat as number) + settings.iatWindowSeconds) * 1000);
      if (!(await replays.firstUse(sha256(`${jkt}.${String(claims.jti)}`), expiresAt))) {
        throw new InvalidDpopProof('the proof was used before: make a new one for each request');
      }
    };
    return { jkt, confirm };
  };
  return {
    settings,
    ...(nonces ? { nonces } : {}),
    inspect,
  };
}

/** The claims of §4.3 points 8–11, read before the signature is checked: `confirm` checks they were signed. */
function checkClaims(claims: Record<string, unknown>, check: ProofCheck, seconds: number, windowSeconds: number): void {
  if (claims.htm !== check.method) throw new InvalidDpopProof('the proof\'s htm is not this request\'s method');
  if (typeof claims.htu !== 'string' || !sameTarget(claims.htu, check.url)) {
    // PUBLIC_URL and the path: a client behind a proxy that rewrites either sees what to sign.
    throw new InvalidDpopProof(`the proof's htu is not this request's URL (expected ${printable(check.url)})`);
  }
  if (typeof claims.iat !== 'number' || Math.abs(seconds - claims.iat) > windowSeconds) {
    throw new InvalidDpopProof(`the proof's iat must be within ${windowSeconds} s of now`);
  }
  if (check.accessToken !== undefined && claims.ath !== sha256(check.accessToken)) {
    throw new InvalidDpopProof('the proof\'s ath is not the hash of the access token sent with it');
  }
  if (typeof claims.jti !== 'string' || claims.jti.length === 0 || claims.jti.length > 256) {
    throw new InvalidDpopProof('the proof needs a jti');
  }
}

/** RFC 9449 §4.3 point 9: the htu matches the request URL without query and fragment, after normalisation. */
function sameTarget(htu: string, expected: string): boolean {
  try {
    const a = new URL(htu);
    const b = new URL(expected);
    return a.origin === b.origin && a.pathname === b.pathname;
  } catch {
    return false;
  }
}

/** The URL as URL serialises it: percent-encoded, so no quote or byte of the path can break the challenge header it goes in. */
function printable(url: string): string {
  try { return new URL(url).href; } catch { return encodeURI(url); }
}

/** base64url(SHA-256(value)), the form of `ath` and of replay keys. */
export const sha256 = (value: string) => createHash('sha256').update(value).digest('base64url');
