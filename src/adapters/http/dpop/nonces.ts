import { createHmac, timingSafeEqual } from 'node:crypto';
import type { NonceSource } from './proof.js';

/**
 * Server nonces (RFC 9449 §8) that every instance issues and accepts without talking to the
 * others: the HMAC of a time slot under a secret they share (in PostgreSQL). A nonce is good for
 * the slot it was made in and the next, so between `slotSeconds` and twice that.
 */
export function hmacNonces(secret: () => Promise<Buffer>, slotSeconds = 60, now: () => number = Date.now): NonceSource {
  let key: Promise<Buffer> | undefined;
  const slot = () => Math.floor(now() / 1000 / slotSeconds);
  const nonceFor = async (at: number) => {
    key ??= secret();
    const mac = createHmac('sha256', await key).update(String(at)).digest('base64url').slice(0, 22);
    return `${at.toString(36)}.${mac}`;
  };
  return {
    current: () => nonceFor(slot()),
    async accepts(nonce) {
      const at = Number.parseInt(nonce.split('.')[0] ?? '', 36);
      if (!Number.isSafeInteger(at) || at > slot() || at < slot() - 1) return false;
      const expected = Buffer.from(await nonceFor(at));
      const given = Buffer.from(nonce);
      return given.length === expected.length && timingSafeEqual(given, expected);
    },
  };
}
