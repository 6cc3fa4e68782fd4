/**
 * Shares the work of identical reads without ever answering a read with work that began before the
 * read arrived (which could miss a write acknowledged just before it: read-your-writes). While one
 * run of a key is in flight, later callers do not join it: they wait for ONE next run, which starts
 * when the current one ends and is shared by everyone who arrived before it started. So a key runs
 * back to back at most, each run serving every caller that arrived during the previous one.
 */
export class FreshShare<T> {
  private readonly slots = new Map<string, { running: Promise<T>; next: Promise<T> | null }>();

  /** How many keys have a run in flight (for tests). */
  get size(): number {
    return this.slots.size;
  }

  run(key: string, work: () => Promise<T>): Promise<T> {
    const slot = this.slots.get(key);
    if (!slot) {
      const running = work();
      const fresh = { running, next: null as Promise<T> | null };
      this.slots.set(key, fresh);
      this.release(key, fresh, running);
      return running;
    }
    if (slot.next) return slot.next;
    const next: Promise<T> = slot.running.then(
      () => this.start(slot, next, work),
      () => this.start(slot, next, work),
    );
    slot.next = next;
    this.release(key, slot, next);
    return next;
  }

  private start(slot: { running: Promise<T>; next: Promise<T> | null }, next: Promise<T>, work: () => Promise<T>): Promise<T> {
    slot.running = next;
    slot.next = null;
    return work();
  }

  /** Forgets the key once its last run ends with no next run waiting. */
  private release(key: string, slot: { running: Promise<T>; next: Promise<T> | null }, run: Promise<T>): void {
    const done = () => {
      if (this.slots.get(key) === slot && slot.running === run && slot.next === null) this.slots.delete(key);
    };
    run.then(done, done);
  }
}
