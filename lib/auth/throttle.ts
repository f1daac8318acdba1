/**
 * Slows failed logins per username and per client address instead of refusing them (VCD clients
 * do not retry a 429). The delay doubles with each recent failure, up to a cap, and decays. A new
 * attempt also waits, before any hashing, until the back-off of its keys' last failure has passed:
 * parallel guesses then cost the guesser time instead of costing the server CPU.
 */
const WINDOW_MS = 15 * 60_000;
const MAX_FACTOR = 16;
const MAX_KEYS = 10_000;

export class LoginThrottle {
  private failures = new Map<string, { count: number; last: number }>();

  constructor(private baseDelayMs: number, private now: () => number = Date.now) {}

  /** How long to wait before answering a failed login for these keys. */
  delayFor(keys: string[]): number {
    let worst = 0;
    const t = this.now();
    for (const k of keys) {
      const f = this.failures.get(k);
      if (f && t - f.last < WINDOW_MS) worst = Math.max(worst, f.count);
    }
    return this.baseDelayMs * Math.min(2 ** worst, MAX_FACTOR);
  }

  /** How long a new attempt for these keys waits before its password is checked; 0 for clean keys. */
  waitFor(keys: string[]): number {
    const t = this.now();
    let until = t;
    for (const k of keys) {
      const f = this.failures.get(k);
      if (f && t - f.last < WINDOW_MS) until = Math.max(until, f.last + this.baseDelayMs * Math.min(2 ** (f.count - 1), MAX_FACTOR));
    }
    return until - t;
  }

  /** The most recent failures of any of these keys (0 for clean keys): ranks the password check. */
  failureCount(keys: string[]): number {
    const t = this.now();
    let worst = 0;
    for (const k of keys) {
      const f = this.failures.get(k);
      if (f && t - f.last < WINDOW_MS) worst = Math.max(worst, f.count);
    }
    return worst;
  }

  /** Records a failure for each key. */
  fail(keys: string[]): void {
    const t = this.now();
    for (const k of keys) {
      const f = this.failures.get(k);
      // Re-inserted so the map stays ordered by last failure: pruning then only looks at its head.
      this.failures.delete(k);
      this.failures.set(k, { count: f && t - f.last < WINDOW_MS ? f.count + 1 : 1, last: t });
    }
    if (this.failures.size > MAX_KEYS) this.prune(t);
  }

  /** Forgets a username's failures after a good login. */
  succeed(key: string): void {
    this.failures.delete(key);
  }

  /** Drops expired entries, then the oldest ones, so many distinct usernames cannot grow the map without bound. */
  private prune(t: number) {
    for (const [k, f] of this.failures) {
      if (t - f.last < WINDOW_MS && this.failures.size <= MAX_KEYS) break;
      this.failures.delete(k);
    }
  }
}
