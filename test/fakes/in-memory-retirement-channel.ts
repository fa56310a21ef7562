import type { Retirement, RetirementChannel, RetirementListener } from '../../src/ports/retirement-channel.js';

/** One process's stand-in for PostgreSQL's LISTEN/NOTIFY: every subscriber hears every publish, unless the test made it deaf. */
export class InMemoryRetirementChannel implements RetirementChannel {
  private readonly listeners = new Set<RetirementListener>();
  private listening = true;
  readonly published: Retirement[] = [];

  async publish(retirements: Retirement[]): Promise<void> {
    this.published.push(...retirements);
    if (!this.listening) return; // lost, as NOTIFYs are while the listening connection is down
    for (const r of retirements) for (const l of this.listeners) l.retired(r);
  }

  subscribe(listener: RetirementListener): () => void {
    this.listeners.add(listener);
    if (!this.listening) listener.deaf();
    return () => { this.listeners.delete(listener); };
  }

  /** The listening connection drops. */
  goDeaf(): void {
    this.listening = false;
    for (const l of this.listeners) l.deaf();
  }

  /** It is back. */
  hearAgain(): void {
    this.listening = true;
    for (const l of this.listeners) l.listening();
  }
}
