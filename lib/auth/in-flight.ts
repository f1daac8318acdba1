/**
 * At most `max` password checks in flight per key (a username): a guesser firing hundreds in
 * parallel gets the rest answered at once with 429, and a VCD client never logs one user in twice
 * at the same moment, so the limit costs it nothing.
 */
export class InFlightLimit {
  private counts = new Map<string, number>();

  constructor(private readonly max: number) {}

  /** A release function when the key has a free slot, else undefined. Releasing twice frees one slot. */
  tryAcquire(key: string): (() => void) | undefined {
    const n = this.counts.get(key) ?? 0;
    if (n >= this.max) return undefined;
    this.counts.set(key, n + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.counts.get(key) ?? 1) - 1;
      if (left > 0) this.counts.set(key, left);
      else this.counts.delete(key);
    };
  }

  /** Keys with a check in flight. */
  get size(): number {
    return this.counts.size;
  }
}
