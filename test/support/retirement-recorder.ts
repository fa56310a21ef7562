import type { Retirement, RetirementListener } from '../../src/ports/retirement-channel.js';

/** Remembers what it was told, and lets a test wait for the next thing. */
export class Recorder implements RetirementListener {
  readonly heard: (Retirement | 'deaf' | 'listening')[] = [];
  private waiters: (() => void)[] = [];
  retired(r: Retirement): void { this.push(r); }
  deaf(): void { this.push('deaf'); }
  listening(): void { this.push('listening'); }
  private push(event: Retirement | 'deaf' | 'listening'): void {
    this.heard.push(event);
    for (const w of this.waiters.splice(0)) w();
  }
  async until(predicate: (heard: Recorder['heard']) => boolean, timeoutMs = 3_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.heard)) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`not heard within ${timeoutMs} ms; heard ${JSON.stringify(this.heard)}`);
      await new Promise<void>((resolve) => { this.waiters.push(resolve); setTimeout(resolve, left); });
    }
  }
}
