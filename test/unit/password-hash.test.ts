import { expect } from 'chai';
import { PasswordChecker } from '../../src/adapters/auth/password-checker.js';
import { dummyHash, hashPassword, needsRehash, normalizePassword, scryptParameters, verifyPassword } from '../../src/adapters/auth/password-hash.js';
import { passwordProblems } from '../../src/adapters/auth/password-policy.js';
import { ConfigError, loadConfig } from '../../src/config.js';

const CHEAP = scryptParameters(10);

describe('password hashes', () => {
  it('uses OWASP\'s scrypt parameters by default: N=2^17, r=8, p=1, for new hashes and for the unknown-email dummy', () => {
    expect(scryptParameters()).to.deep.equal({ N: 131_072, r: 8, p: 1 });
    expect(dummyHash(scryptParameters())).to.match(/^scrypt\$131072\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
  });

  it('reads PASSWORD_HASH_COST as log2 N: 17 when unset, 10 to 20 allowed, anything else stops the start', () => {
    expect(loadConfig({}).auth).to.deep.equal({ adapter: 'embedded', passwordHashCost: 17 });
    expect(loadConfig({ PASSWORD_HASH_COST: '12' }).auth).to.deep.equal({ adapter: 'embedded', passwordHashCost: 12 });
    for (const bad of ['9', '21', '16.5', 'high']) {
      expect(() => loadConfig({ PASSWORD_HASH_COST: bad }), bad).to.throw(ConfigError, 'PASSWORD_HASH_COST must be a whole number from 10 to 20');
    }
  });

  it('stores the parameters with each hash and verifies with the stored ones, whatever today\'s are', async () => {
    const legacy = await hashPassword('correct horse battery', { N: 16_384, r: 8, p: 1 });
    expect(legacy).to.match(/^scrypt\$16384\$8\$1\$/);
    expect(await verifyPassword('correct horse battery', legacy)).to.equal(true);
    expect(await verifyPassword('correct horse batter', legacy)).to.equal(false);
    expect(needsRehash(legacy, scryptParameters(17))).to.equal(true);
    expect(needsRehash(legacy, scryptParameters(14))).to.equal(false);
  });

  it('hashes the NFKC form: a fullwidth password and its ASCII form are one password', async () => {
    expect(normalizePassword('ｃｏｒｒｅｃｔ ｈｏｒｓｅ')).to.equal('correct horse');
    const hash = await hashPassword('ｃｏｒｒｅｃｔ ｈｏｒｓｅ ｂａｔｔｅｒｙ', CHEAP);
    expect(await verifyPassword('correct horse battery', hash)).to.equal(true);
  });

  it('judges the same NFKC form it hashes: fullwidth "password" is too common, fullwidth digits numeric, length after', async () => {
    expect(await passwordProblems('ｐａｓｓｗｏｒｄ')).to.deep.equal(['This password is too common.']);
    expect(await passwordProblems('１２３４５６７８９０４２')).to.deep.equal(['This password is entirely numeric.']);
    expect(await passwordProblems('ﬃﬃﬃ')).to.deep.equal([]); // 3 ligatures, 9 letters hashed
    expect(await passwordProblems('ｃｏｒｒｅｃｔ ｈｏｒｓｅ ｂａｔｔｅｒｙ')).to.deep.equal([]);
  });

  it('matches nothing with a damaged or oversized hash instead of throwing or allocating gigabytes', async () => {
    const good = await hashPassword('correct horse battery', CHEAP);
    const [, , , , salt, key] = good.split('$');
    for (const stored of ['', 'bcrypt$12$x', `scrypt$1000$8$1$${salt}$${key}`, `scrypt$${2 ** 24}$8$1$${salt}$${key}`,
      `scrypt$1024$0$1$${salt}$${key}`, `scrypt$1024$8$1$$${key}`, `${good}$extra`, `scrypt$01024$8$1$${salt}$${key}`]) {
      expect(await verifyPassword('correct horse battery', stored), stored).to.equal(false);
    }
  });
});

describe('PasswordChecker sign-in', () => {
  it('answers a rehash with today\'s parameters only when an older hash matches', async () => {
    const checker = new PasswordChecker(11);
    const legacy = await hashPassword('correct horse battery', CHEAP);
    const signedIn = await checker.signIn({ account: 'a@example.com' }, 'correct horse battery', legacy);
    expect(signedIn.matches).to.equal(true);
    expect(signedIn.rehashed).to.match(/^scrypt\$2048\$8\$1\$/);
    expect(await verifyPassword('correct horse battery', signedIn.rehashed!)).to.equal(true);
    expect(await checker.signIn({ account: 'a@example.com' }, 'wrong horse battery', legacy)).to.deep.equal({ matches: false });
    expect(await checker.signIn({ account: 'a@example.com' }, 'correct horse battery', signedIn.rehashed)).to.deep.equal({ matches: true });
    expect(await checker.signIn({ account: 'nobody@example.com' }, 'correct horse battery', undefined)).to.deep.equal({ matches: false });
  });

  it('spends today\'s cost on an unknown email: the dummy hash follows the configured cost', async () => {
    const time = async (checker: PasswordChecker) => {
      const runs: number[] = [];
      for (let i = 0; i < 3; i++) {
        const start = performance.now();
        await checker.signIn({ account: 'nobody@example.com' }, 'correct horse battery', undefined);
        runs.push(performance.now() - start);
      }
      return runs.sort((a, b) => a - b)[1]!;
    };
    const cheap = await time(new PasswordChecker(10));
    const dear = await time(new PasswordChecker(15)); // 32 times the work
    expect(dear).to.be.greaterThan(cheap * 6);
  });
});
