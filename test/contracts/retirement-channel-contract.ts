import { expect } from 'chai';
import type { RetirementChannel } from '../../src/ports/retirement-channel.js';
import { Recorder } from '../support/retirement-recorder.js';

export interface RetirementHarness {
  /** Two instances sharing the channel, both listening (a fake, one process's stand-in, gives the same channel twice). */
  channels: [RetirementChannel, RetirementChannel];
  close(): Promise<void>;
}

const HASH = 'cd'.repeat(32);
const MARK = { subject: 'the last one published' };
const heardMark = (heard: Recorder['heard']) => heard.some((r) => typeof r === 'object' && 'subject' in r && r.subject === MARK.subject);

export function retirementChannelContract(adapter: string, open: () => Promise<RetirementHarness>) {
  describe(`RetirementChannel contract (${adapter})`, function () {
    this.timeout(10_000);
    let h: RetirementHarness;
    const listen = (channel: RetirementChannel) => {
      const recorder = new Recorder();
      return { recorder, unsubscribe: channel.subscribe(recorder) };
    };
    beforeEach(async () => { h = await open(); });
    afterEach(() => h.close());

    it('tells every subscriber on every instance, the publisher\'s own included, each retirement, in order', async () => {
      const [a, b] = h.channels;
      const here = listen(a).recorder;
      const there = [listen(b).recorder, listen(b).recorder];
      await a.publish([{ tokenHash: HASH }, { subject: 'alice' }]);
      await b.publish([{ subject: 'bob' }]);
      for (const r of [here, ...there]) {
        await r.until((heard) => heard.length >= 3);
        expect(r.heard).to.deep.equal([{ tokenHash: HASH }, { subject: 'alice' }, { subject: 'bob' }]);
      }
    });

    it('does not call a subscriber deaf while the channel is listening', async () => {
      const { recorder } = listen(h.channels[1]);
      await h.channels[0].publish([MARK]);
      await recorder.until(heardMark);
      expect(recorder.heard).to.deep.equal([MARK]);
    });

    it('tells a listener nothing once it has unsubscribed', async () => {
      const [a, b] = h.channels;
      const gone = listen(b);
      const staying = listen(b).recorder;
      await a.publish([{ subject: 'before' }]);
      await gone.recorder.until((heard) => heard.length === 1);
      gone.unsubscribe();
      await a.publish([{ subject: 'after' }, MARK]);
      await staying.until(heardMark);
      expect(gone.recorder.heard).to.deep.equal([{ subject: 'before' }]);
    });

    it('publishes nothing for an empty list', async () => {
      const [a, b] = h.channels;
      const { recorder } = listen(b);
      await a.publish([]);
      await a.publish([MARK]);
      await recorder.until(heardMark);
      expect(recorder.heard).to.deep.equal([MARK]);
    });
  });
}
