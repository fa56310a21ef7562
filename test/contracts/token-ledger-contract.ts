import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { HashedPair, TokenLedger } from '../../src/ports/token-ledger.js';
import type { Retirement, RetirementChannel } from '../../src/ports/retirement-channel.js';
import { Recorder } from '../support/retirement-recorder.js';

export interface TokenLedgerHarness {
  /** Two instances sharing one ledger (a fake, one process's memory, gives the same ledger twice). */
  ledgers: [TokenLedger, TokenLedger];
  /** Where every instance hears what the ledger retires. */
  channel: RetirementChannel;
  close(): Promise<void>;
}

const aPair = (): HashedPair => ({ tokenHash: `t-${randomUUID()}`, refreshHash: `r-${randomUUID()}`, expiresIn: 3600 });
const inAnHour = () => new Date(Date.now() + 3_600_000);
const MARK = { subject: 'the last one published' };
const isMark = (r: Recorder['heard'][number]) => typeof r === 'object' && 'subject' in r && r.subject === MARK.subject;

export function tokenLedgerContract(adapter: string, open: () => Promise<TokenLedgerHarness>) {
  describe(`TokenLedger contract (${adapter})`, function () {
    this.timeout(10_000);
    let h: TokenLedgerHarness;
    let heard: Recorder;
    /** Everything the channel carried up to now (a mark published last tells when it has all arrived). */
    const published = async () => {
      await h.channel.publish([MARK]);
      await heard.until((all) => all.some(isMark));
      return heard.heard.filter((r): r is Retirement => r !== 'deaf' && r !== 'listening' && !isMark(r));
    };
    beforeEach(async () => {
      h = await open();
      heard = new Recorder();
      h.channel.subscribe(heard);
    });
    afterEach(() => h.close());

    it('knows nothing of a token it was never told of', async () => {
      const [a] = h.ledgers;
      expect(await a.find('never-seen')).to.equal(undefined);
      expect(await a.refreshRetired('never-seen')).to.equal(false);
    });

    it('remembers a pair issued through one instance on the other, with its subject when known', async () => {
      const [a, b] = h.ledgers;
      const known = aPair();
      const unknown = aPair();
      await a.issued(known, 'alice');
      await a.issued(unknown);
      expect(await b.find(known.tokenHash)).to.deep.equal({ subject: 'alice', retired: false });
      expect(await b.find(unknown.tokenHash)).to.deep.equal({ subject: null, retired: false });
      expect(await b.refreshRetired(known.refreshHash)).to.equal(false);
    });

    it('takes the subject an introspection names over the one a sign-in guessed, and records a token first seen there', async () => {
      const [a, b] = h.ledgers;
      const pair = aPair();
      await a.issued(pair, 'guessed');
      await b.introspected(pair.tokenHash, 'alice', inAnHour());
      expect(await a.find(pair.tokenHash)).to.deep.equal({ subject: 'alice', retired: false });
      await b.introspected('seen-only-here', 'bob', inAnHour());
      expect(await a.find('seen-only-here')).to.deep.equal({ subject: 'bob', retired: false });
    });

    it('retires every token of a subject seen so far, from a sign-in or an introspection, and tells every instance', async () => {
      const [a, b] = h.ledgers;
      const signedIn = aPair();
      const bobs = aPair();
      await a.issued(signedIn, 'alice');
      await b.introspected('introspected', 'alice', inAnHour());
      await a.issued(bobs, 'bob');
      await a.retireSubject('alice');
      expect(await b.find(signedIn.tokenHash)).to.deep.equal({ subject: 'alice', retired: true });
      expect(await b.find('introspected')).to.deep.equal({ subject: 'alice', retired: true });
      expect(await b.refreshRetired(signedIn.refreshHash)).to.equal(true);
      expect(await b.find(bobs.tokenHash)).to.deep.equal({ subject: 'bob', retired: false });
      expect(await b.refreshRetired(bobs.refreshHash)).to.equal(false);
      expect(await published()).to.deep.equal([{ subject: 'alice' }]);
    });

    it('does not retire what the subject is issued after the retirement', async () => {
      const [a, b] = h.ledgers;
      await a.retireSubject('alice');
      const later = aPair();
      await b.issued(later, 'alice');
      expect(await a.find(later.tokenHash)).to.deep.equal({ subject: 'alice', retired: false });
    });

    it('on a refresh, tells every instance the access token it replaced and hands the new pair what was known of the old', async () => {
      const [a, b] = h.ledgers;
      const old = aPair();
      const renewed = aPair();
      await a.issued(old, 'alice');
      await b.refreshed(old.refreshHash, renewed);
      expect(await a.find(renewed.tokenHash)).to.deep.equal({ subject: 'alice', retired: false });
      expect(await published()).to.deep.equal([{ tokenHash: old.tokenHash }]);
    });

    it('keeps a retirement across a refresh: the new pair is retired too, its refresh token refused', async () => {
      const [a, b] = h.ledgers;
      const old = aPair();
      const renewed = aPair();
      await a.issued(old, 'carol');
      await a.retireSubject('carol');
      await b.refreshed(old.refreshHash, renewed);
      expect(await a.find(renewed.tokenHash)).to.deep.equal({ subject: 'carol', retired: true });
      expect(await a.refreshRetired(renewed.refreshHash)).to.equal(true);
    });

    it('records the pair a refresh token it never saw was spent for, subject unknown, and publishes nothing', async () => {
      const [a, b] = h.ledgers;
      const renewed = aPair();
      await a.refreshed('never-seen', renewed);
      expect(await b.find(renewed.tokenHash)).to.deep.equal({ subject: null, retired: false });
      expect(await published()).to.deep.equal([]);
    });

    it('retires the pair of an access token, or of a refresh token, on every instance, naming its access token; nothing for an unknown hash', async () => {
      const [a, b] = h.ledgers;
      const byAccess = aPair();
      const byRefresh = aPair();
      await a.issued(byAccess, 'alice');
      await a.issued(byRefresh, 'alice');
      expect(await b.retire(byAccess.tokenHash)).to.equal(byAccess.tokenHash);
      expect(await b.retire(byRefresh.refreshHash)).to.equal(byRefresh.tokenHash);
      for (const pair of [byAccess, byRefresh]) {
        expect(await a.find(pair.tokenHash)).to.deep.equal({ subject: 'alice', retired: true });
        expect(await a.refreshRetired(pair.refreshHash)).to.equal(true);
      }
      expect(await b.retire('never-seen')).to.equal(undefined);
    });

    it('records a pair once: issuing it again changes nothing', async () => {
      const [a, b] = h.ledgers;
      const pair = aPair();
      await a.issued(pair, 'alice');
      await b.issued(pair, 'mallory');
      expect(await a.find(pair.tokenHash)).to.deep.equal({ subject: 'alice', retired: false });
    });
  });
}
