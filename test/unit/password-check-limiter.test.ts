import { expect } from 'chai';
import { PasswordCheckLimiter } from '../../src/adapters/auth/password-check-limiter.js';
import { RefusalReport, type RefusalCounts } from '../../src/adapters/auth/password-check-refusals.js';
import { PasswordCheckBusy } from '../../src/domain/errors.js';
import { rejectionOf } from '../support/rejection.js';

/** A stand-in for scrypt that runs until the test lets it finish, and counts how many run at once. */
class FakeHashes {
  running = 0;
  most = 0;
  private readonly pending: (() => void)[] = [];
  hash = (answer = 'hashed') => async (): Promise<string> => {
    this.running++;
    this.most = Math.max(this.most, this.running);
    await new Promise<void>((done) => this.pending.push(done));
    this.running--;
    return answer;
  };
  /** Finishes the oldest running hash and lets the limiter start the next. */
  async finishOne(): Promise<void> {
    this.pending.shift()?.();
    await settle();
  }
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('PasswordCheckLimiter', () => {
  let hashes: FakeHashes;
  beforeEach(() => { hashes = new FakeHashes(); });

  it('runs at most `concurrency` hashes, queues `queue` more in order, and refuses the next with PasswordCheckBusy', async () => {
    const limiter = new PasswordCheckLimiter({ concurrency: 2, queue: 2 });
    const done: string[] = [];
    const admitted = ['a', 'b', 'c', 'd'].map((who) => limiter.run({ account: who }, hashes.hash(who)).then((v) => { done.push(v); }));
    await settle();
    expect(limiter.stats()).to.deep.equal({ running: 2, waiting: 2, shares: 4 });
    expect(await rejectionOf(limiter.run({ account: 'e' }, hashes.hash()))).to.be.instanceOf(PasswordCheckBusy);
    for (let i = 0; i < 4; i++) await hashes.finishOne();
    await Promise.all(admitted);
    expect(done).to.deep.equal(['a', 'b', 'c', 'd']);
    expect(hashes.most).to.equal(2);
    expect(limiter.stats()).to.deep.equal({ running: 0, waiting: 0, shares: 0 });
  });

  it('allows one hash per account at a time: one more waits for its end and takes the next turn, the rest are refused at once', async () => {
    const limiter = new PasswordCheckLimiter({ concurrency: 2, queue: 4 });
    const first = limiter.run({ account: 'victim@example.com' }, hashes.hash('first'));
    const second = limiter.run({ account: 'victim@example.com' }, hashes.hash('second'));
    const third = rejectionOf(limiter.run({ account: 'victim@example.com' }, hashes.hash('third')));
    const bystander = limiter.run({ account: 'bystander@example.com' }, hashes.hash('bystander'));
    await settle();
    expect(hashes.running).to.equal(2); // the victim's first and the bystander: the others for the victim wait, outside the queue
    expect(limiter.stats()).to.deep.equal({ running: 2, waiting: 0, shares: 2 });
    await hashes.finishOne();
    expect(await first).to.equal('first');
    const refused = await third;
    expect(refused).to.be.instanceOf(PasswordCheckBusy);
    expect(refused.message).not.to.include('victim');
    await hashes.finishOne();
    await hashes.finishOne();
    expect(await bystander).to.equal('bystander');
    expect(await second).to.equal('second');
    expect(await limiter.run({ account: 'victim@example.com' }, async () => 'after')).to.equal('after'); // free again once done
  });

  it('lets 32 concurrent attempts on one account take one place in the queue, one at a time', async () => {
    const limiter = new PasswordCheckLimiter({ concurrency: 1, queue: 1 });
    const other = limiter.run({ account: 'other@example.com' }, hashes.hash());
    const queued = limiter.run({ account: 'victim@example.com' }, hashes.hash());
    const attempts = Array.from({ length: 32 }, () => limiter.run({ account: 'victim@example.com' }, hashes.hash()).then(() => 'ran', (err) => err));
    await settle();
    expect(limiter.stats()).to.deep.equal({ running: 1, waiting: 1, shares: 2 });
    await hashes.finishOne(); // other's ends: the victim's queued one runs
    await hashes.finishOne(); // the victim's ends: one of the 32 takes the turn
    await hashes.finishOne();
    await Promise.all([other, queued]);
    const outcomes = await Promise.all(attempts);
    expect(outcomes.filter((o) => o === 'ran')).to.have.length(1);
    expect(outcomes.filter((o) => o instanceof PasswordCheckBusy)).to.have.length(31);
    expect(hashes.most).to.equal(1);
  });

  it('holds the account for as long again after a failed check, without holding a slot', async () => {
    const limiter = new PasswordCheckLimiter({ concurrency: 1, queue: 0 });
    const wrong = async () => { await new Promise((r) => setTimeout(r, 40)); return false; };
    const failed = (matches: boolean) => !matches;
    expect(await limiter.run({ account: 'guessed@example.com' }, wrong, failed)).to.equal(false);
    expect(await limiter.run({ account: 'other@example.com' }, async () => 'at once')).to.equal('at once'); // the slot is free
    const start = performance.now();
    await limiter.run({ account: 'guessed@example.com' }, async () => true, failed);
    expect(performance.now() - start).to.be.within(30, 400);
    const after = performance.now();
    await limiter.run({ account: 'guessed@example.com' }, async () => true, failed); // a success holds nothing
    expect(performance.now() - after).to.be.below(20);
  });

  it('frees the slot and the account when a hash fails, and passes its error on', async () => {
    const limiter = new PasswordCheckLimiter({ concurrency: 1, queue: 0 });
    const boom = new Error('scrypt failed');
    expect(await rejectionOf(limiter.run({ account: 'a' }, async () => { throw boom; }))).to.equal(boom);
    expect(await rejectionOf(limiter.run({ account: 'a' }, () => { throw boom; }))).to.equal(boom); // a synchronous throw too
    expect(limiter.stats()).to.deep.equal({ running: 0, waiting: 0, shares: 0 });
    expect(await limiter.run({ account: 'a' }, async () => 'ok')).to.equal('ok');
  });

  it('never runs more than `concurrency` nor queues more than `queue` through a churn of arrivals and finishes', async () => {
    const limiter = new PasswordCheckLimiter({ concurrency: 2, queue: 3 });
    const finished: Promise<unknown>[] = [];
    let refused = 0;
    let seed = 7;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647; // repeatable
    for (let step = 0; step < 300; step++) {
      if (random() < 0.55) {
        finished.push(limiter.run({ account: `user${Math.floor(random() * 8)}` }, hashes.hash()).catch((err) => {
          if (!(err instanceof PasswordCheckBusy)) throw err;
          refused++;
        }));
      } else await hashes.finishOne();
      await settle();
      expect(hashes.running).to.be.at.most(2);
      expect(limiter.stats().waiting).to.be.at.most(3);
    }
    while (hashes.running) await hashes.finishOne();
    await Promise.all(finished);
    expect(hashes.most).to.equal(2);
    expect(refused).to.be.greaterThan(0);
    expect(limiter.stats()).to.deep.equal({ running: 0, waiting: 0, shares: 0 });
  });

  describe('shared fairly between client addresses', () => {
    const from = (client: string, n: number) => ({ account: `user${n}@example.com`, client });

    it('lets one client address hold one place and one waiter; its next is refused when its check ends, naming the client share, without a place in the queue', async () => {
      const limiter = new PasswordCheckLimiter({ concurrency: 2, queue: 4 });
      const held = limiter.run(from('192.0.2.1', 1), hashes.hash('first'));
      const waiter = limiter.run(from('192.0.2.1', 2), hashes.hash('second'));
      const refusals = Promise.all([3, 4, 5].map((n) => rejectionOf(limiter.run(from('192.0.2.1', n), hashes.hash()))));
      await settle();
      expect(limiter.stats()).to.include({ running: 1, waiting: 0 }); // its waiter waits outside the queue
      expect(await limiter.run(from('192.0.2.2', 6), async () => 'bystander at once')).to.equal('bystander at once');
      await hashes.finishOne(); // the refusals are answered when the client's check ends: paced, not looping
      for (const err of await refusals) {
        expect(err).to.be.instanceOf(PasswordCheckBusy);
        expect((err as PasswordCheckBusy).share).to.equal('client');
        expect(err.message).to.equal('this client address already has a password check running and another waiting; retry in a few seconds');
      }
      expect(await held).to.equal('first');
      await hashes.finishOne();
      expect(await waiter).to.equal('second');
      expect(limiter.stats()).to.deep.equal({ running: 0, waiting: 0, shares: 0 });
    });

    it('leaves a sixth place to a client that behaves while five addresses flood (2 running, 4 queued)', async () => {
      const limiter = new PasswordCheckLimiter({ concurrency: 2, queue: 4 });
      const flood = [];
      for (let round = 0; round < 32; round++) {
        for (let f = 10; f < 15; f++) flood.push(limiter.run(from(`127.0.0.${f}`, round * 100 + f), hashes.hash()).catch((err) => err));
      }
      await settle();
      expect(limiter.stats()).to.include({ running: 2, waiting: 3 });
      const bystander = limiter.run(from('127.0.0.2', 1), hashes.hash('signed in'));
      await settle();
      expect(limiter.stats()).to.include({ running: 2, waiting: 4 });
      while (hashes.running) await hashes.finishOne();
      expect(await bystander).to.equal('signed in');
      const outcomes = await Promise.all(flood);
      expect(outcomes.filter((o) => o === 'hashed')).to.have.length(10); // one place and one waiter each
      expect(outcomes.filter((o) => o instanceof PasswordCheckBusy && o.share === 'client')).to.have.length(150);
    });

    it('holds the client\'s turn too after a failed check, so a guessing address gets at most half a core', async () => {
      const limiter = new PasswordCheckLimiter({ concurrency: 2, queue: 0 });
      const wrong = async () => { await new Promise((r) => setTimeout(r, 40)); return false; };
      expect(await limiter.run(from('192.0.2.9', 1), wrong, (m) => !m)).to.equal(false);
      const start = performance.now();
      await limiter.run(from('192.0.2.9', 2), async () => true);
      expect(performance.now() - start).to.be.within(30, 400);
      expect(await limiter.run(from('192.0.2.8', 3), async () => 'other address at once')).to.equal('other address at once');
    });

    it('reports refusals by share at most every 10 s, with the counts since the last report', async () => {
      const reports: object[] = [];
      const limiter = new PasswordCheckLimiter({ concurrency: 1, queue: 0 }, (refused) => reports.push({ ...refused }));
      const running = limiter.run(from('192.0.2.1', 1), hashes.hash());
      await settle();
      await rejectionOf(limiter.run(from('192.0.2.2', 2), hashes.hash())); // no slot, no queue
      await rejectionOf(limiter.run(from('192.0.2.3', 3), hashes.hash()));
      expect(reports).to.deep.equal([{ account: 0, client: 0, server: 1 }]);
      await hashes.finishOne();
      await running;
    });
  });
});

describe('RefusalReport', () => {
  it('reports the first refusal at once, then the ones after it no more than every 10 s', () => {
    const reports: RefusalCounts[] = [];
    const refusals = new RefusalReport((counts) => reports.push({ ...counts }));
    refusals.count('server');
    refusals.count('account');
    refusals.count('client');
    expect(reports).to.deep.equal([{ account: 0, client: 0, server: 1 }]);
  });
});
