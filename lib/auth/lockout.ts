/**
 * Account lock-out, VCD's model (an organization's "account lockout" password policy): after
 * `invalidLoginsBeforeLockout` invalid logins the account is locked for `lockoutIntervalMinutes`,
 * whatever password is then sent. Off unless enabled: anyone who knows a username can lock it.
 * Keyed by the login name as given, existing or not, so a lock-out says nothing about existence.
 * Held in memory: a restart unlocks every account.
 */
export interface LockoutPolicy {
  enabled: boolean;
  invalidLoginsBeforeLockout: number;
  lockoutIntervalMinutes: number;
}

const MAX_KEYS = 10_000;

interface Entry { failures: number; last: number; lockedUntil: number }

export class AccountLockout {
  /** Ordered by last change, so pruning looks at the head only. */
  private entries = new Map<string, Entry>();

  constructor(private readonly policy: LockoutPolicy, private readonly now: () => number = Date.now) {}

  private get intervalMs(): number {
    return this.policy.lockoutIntervalMinutes * 60_000;
  }

  /** Milliseconds the account stays locked; 0 when it is not. */
  lockedFor(key: string): number {
    const e = this.entries.get(key);
    return e ? Math.max(0, e.lockedUntil - this.now()) : 0;
  }

  /** Counts an invalid login; the last one allowed locks the account. */
  fail(key: string): void {
    if (!this.policy.enabled) return;
    const t = this.now();
    const e = this.entries.get(key);
    // Failures older than the interval, or from before a lock-out that has ended, no longer count.
    const stale = !e || t - e.last >= this.intervalMs || (e.lockedUntil !== 0 && e.lockedUntil <= t);
    const failures = (stale ? 0 : e.failures) + 1;
    const locked = failures >= this.policy.invalidLoginsBeforeLockout;
    this.entries.delete(key);
    this.entries.set(key, { failures: locked ? 0 : failures, last: t, lockedUntil: locked ? t + this.intervalMs : stale ? 0 : e.lockedUntil });
    if (this.entries.size > MAX_KEYS) this.prune(t);
  }

  /** A good login starts the count over. */
  succeed(key: string): void {
    this.entries.delete(key);
  }

  /** Accounts tracked. */
  get size(): number {
    return this.entries.size;
  }

  /** Drops entries that neither lock nor count any more, then the oldest, keeping the map bounded. */
  private prune(t: number): void {
    for (const [k, e] of this.entries) {
      const live = e.lockedUntil > t || t - e.last < this.intervalMs;
      if (live && this.entries.size <= MAX_KEYS) break;
      this.entries.delete(k);
    }
  }
}
