import { expect } from 'chai';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { checkProofKey } from '../../src/adapters/http/dpop/proof-key.js';
import { InvalidDpopProof } from '../../src/domain/errors.js';

const publicJwk = (namedCurve: string) => createPublicKey(generateKeyPairSync('ec', { namedCurve }).privateKey).export({ format: 'jwk' }) as Record<string, string>;
const refusal = (jwk: unknown, alg: string): string => {
  try { checkProofKey(jwk, alg); } catch (err) { expect(err).to.be.instanceOf(InvalidDpopProof); return (err as Error).message; }
  throw new Error('accepted');
};

/** The curve check is BigInt arithmetic, not OpenSSL's: it must agree with OpenSSL on real keys and refuse what is off the curve. */
describe('checkProofKey: EC points', () => {
  for (const [curve, crv, alg] of [['prime256v1', 'P-256', 'ES256'], ['secp384r1', 'P-384', 'ES384']] as const) {
    it(`accepts 100 keys OpenSSL made on ${crv}, and refuses each with one bit of y changed`, () => {
      for (let i = 0; i < 100; i++) {
        const jwk = publicJwk(curve);
        checkProofKey(jwk, alg);
        const y = Buffer.from(jwk.y!, 'base64url');
        y[i % y.length]! ^= 1 << (i % 8);
        expect(refusal({ ...jwk, y: y.toString('base64url') }, alg)).to.equal(`the proof's jwk is not a point on ${crv}`);
        expect(() => createPublicKey({ key: { ...jwk, y: y.toString('base64url') }, format: 'jwk' })).to.throw(); // OpenSSL agrees
      }
    });

    it(`refuses ${crv} coordinates of the wrong length or not below p`, () => {
      const jwk = publicJwk(curve);
      expect(refusal({ ...jwk, x: jwk.x!.slice(4) }, alg)).to.match(/-byte x and y/);
      const size = crv === 'P-256' ? 32 : 48;
      expect(refusal({ ...jwk, x: Buffer.alloc(size, 0xff).toString('base64url') }, alg)).to.equal(`the proof's jwk is not a point on ${crv}`);
    });
  }
});
