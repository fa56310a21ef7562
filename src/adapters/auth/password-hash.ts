import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/** OWASP's Password Storage Cheat Sheet: scrypt with N=2^17, r=8, p=1 (128 MiB per hash). */
export const DEFAULT_COST = 17;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;

export interface ScryptParameters { N: number; r: number; p: number }

/** New hashes use N = 2^cost, r=8, p=1. */
export function scryptParameters(cost = DEFAULT_COST): ScryptParameters {
  return { N: 2 ** cost, r: R, p: P };
}

/**
 * NFKC is the policy (NIST SP 800-63B §5.1.1.2 asks for a normalisation): `ｐａｓｓｗｏｒｄ` and
 * `password` are one password. The policy checks and the hash both go through here, so the rules
 * always judge the string that is hashed.
 */
export function normalizePassword(password: string): string {
  return password.normalize('NFKC');
}

/** `scrypt$N$r$p$salt$hash`, salt and hash base64url: each hash carries its parameters, so the cost can grow. */
export async function hashPassword(password: string, parameters: ScryptParameters): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, parameters);
  const { N, r, p } = parameters;
  return ['scrypt', N, r, p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** Checks against the parameters stored with the hash; an unreadable hash matches nothing. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parse(stored);
  if (!parsed) return false;
  const key = await derive(password, parsed.salt, parsed.parameters);
  return key.length === parsed.hash.length && timingSafeEqual(key, parsed.hash);
}

/** True when `stored` was made with other parameters than `current`: rehash it while the password is at hand. */
export function needsRehash(stored: string, current: ScryptParameters): boolean {
  const parsed = parse(stored);
  return !parsed || parsed.parameters.N !== current.N || parsed.parameters.r !== current.r || parsed.parameters.p !== current.p;
}

/**
 * Verified instead of a real hash when the email is unknown, so that a wrong email costs as long
 * as a wrong password: it must use the current parameters.
 */
export function dummyHash(parameters: ScryptParameters): string {
  return ['scrypt', parameters.N, parameters.r, parameters.p, 'A'.repeat(22), 'A'.repeat(43)].join('$');
}

function derive(password: string, salt: Buffer, { N, r, p }: ScryptParameters): Promise<Buffer> {
  // scrypt needs 128·N·r bytes (128 MiB at N=2^17, r=8); Node refuses more than maxmem, 32 MiB by default.
  const maxmem = 2 * 128 * N * r;
  return new Promise((resolve, reject) => {
    scrypt(normalizePassword(password), salt, KEY_LENGTH, { N, r, p, maxmem }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

const MAX_N = 2 ** 20;

function parse(stored: string): { parameters: ScryptParameters; salt: Buffer; hash: Buffer } | undefined {
  const [scheme, n, r, p, salt, hash, ...rest] = stored.split('$');
  const [N, rr, pp] = [n, r, p].map((v) => (v && /^[1-9]\d{0,7}$/.test(v) ? Number(v) : 0)) as [number, number, number];
  // Bounds on what we read back, so a damaged row cannot ask for gigabytes or minutes of work.
  const sane = scheme === 'scrypt' && !rest.length && N > 1 && N <= MAX_N && (N & (N - 1)) === 0
    && rr >= 1 && rr <= 32 && pp >= 1 && pp <= 16 && !!salt && !!hash;
  if (!sane) return undefined;
  return { parameters: { N, r: rr, p: pp }, salt: Buffer.from(salt, 'base64url'), hash: Buffer.from(hash, 'base64url') };
}
