/** subject → the cache keys of its tokens, so all of a user's cached tokens can be dropped at once. */
export class SubjectIndex {
  private readonly keys = new Map<string, Set<string>>();

  add(subject: string, key: string): void {
    let keys = this.keys.get(subject);
    if (!keys) this.keys.set(subject, (keys = new Set()));
    keys.add(key);
  }

  remove(subject: string, key: string): void {
    const keys = this.keys.get(subject);
    if (!keys) return;
    keys.delete(key);
    if (keys.size === 0) this.keys.delete(subject);
  }

  /** The subject's keys, forgotten here. */
  take(subject: string): string[] {
    const keys = [...(this.keys.get(subject) ?? [])];
    this.keys.delete(subject);
    return keys;
  }
}
