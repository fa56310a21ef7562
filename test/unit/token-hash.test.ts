import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { tokenHash } from '../../src/adapters/auth/token-hash.js';

describe('tokenHash (auth/token-hash.ts)', () => {
  it('is the hex SHA-256 of the token\'s UTF-8, as createHash gives it: the keys and columns already written stay valid', () => {
    for (const token of ['', 'abc', 'Fq8xM3kP0bN2vYc7Lr5WzQe1Hj4Ts6Ud9Ag', 'tökén-with-ünïcode', 'x'.repeat(5000)]) {
      expect(tokenHash(token)).to.equal(createHash('sha256').update(token).digest('hex'));
    }
    expect(tokenHash('abc')).to.equal('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
