import type { HashedPair, TokenLedger } from '../../src/ports/token-ledger.js';
import type { RetirementChannel } from '../../src/ports/retirement-channel.js';

interface Seen { refreshHash: string | undefined; subject: string | null; retired: boolean }

/** The ledger in a Map: one process's memory, publishing on the channel it is given. Nothing expires. */
export class InMemoryTokenLedger implements TokenLedger {
  private readonly byToken = new Map<string, Seen>();

  constructor(private readonly channel: RetirementChannel) {}

  async find(tokenHash: string): Promise<{ subject: string | null; retired: boolean } | undefined> {
    const seen = this.byToken.get(tokenHash);
    return seen && { subject: seen.subject, retired: seen.retired };
  }

  async refreshRetired(refreshHash: string): Promise<boolean> {
    return this.byRefresh(refreshHash)?.[1].retired ?? false;
  }

  async introspected(tokenHash: string, subject: string): Promise<void> {
    const seen = this.byToken.get(tokenHash);
    if (seen) seen.subject = subject;
    else this.byToken.set(tokenHash, { refreshHash: undefined, subject, retired: false });
  }

  async issued(pair: HashedPair, subject?: string): Promise<void> {
    this.record(pair, { subject: subject ?? null, retired: false });
  }

  async refreshed(refreshHash: string, pair: HashedPair): Promise<void> {
    const old = this.byRefresh(refreshHash);
    if (old) this.byToken.delete(old[0]);
    this.record(pair, { subject: old?.[1].subject ?? null, retired: old?.[1].retired ?? false });
    if (old) await this.channel.publish([{ tokenHash: old[0] }]);
  }

  async retire(hash: string): Promise<string | undefined> {
    const entry = this.byToken.has(hash) ? [hash, this.byToken.get(hash)!] as const : this.byRefresh(hash);
    if (entry) entry[1].retired = true;
    return entry?.[0];
  }

  async retireSubject(subject: string): Promise<void> {
    for (const seen of this.byToken.values()) if (seen.subject === subject) seen.retired = true;
    await this.channel.publish([{ subject }]);
  }

  /** Like the table's two unique keys: a pair whose access or refresh token is known already is not recorded again. */
  private record(pair: HashedPair, what: Omit<Seen, 'refreshHash'>): void {
    if (this.byToken.has(pair.tokenHash) || this.byRefresh(pair.refreshHash)) return;
    this.byToken.set(pair.tokenHash, { refreshHash: pair.refreshHash, ...what });
  }

  private byRefresh(refreshHash: string): [string, Seen] | undefined {
    for (const entry of this.byToken) if (entry[1].refreshHash === refreshHash) return entry;
    return undefined;
  }
}
