/**
 * Whether the database can be written, for readiness: a read (`SELECT 1`) succeeds on a full or
 * read-only disk, so the server looked healthy while every login and write failed. The probe
 * commits one tiny write every interval, and a request that hits a storage failure reports it at
 * once; the state clears with the next successful probe. Outages are logged when they start and
 * end, not per request.
 */
import type { Log } from './log.ts';
import { storageFailure } from '#db/storage-errors.ts';

/** How often the probe writes: a readiness period's worth, a negligible load. */
export const WRITE_PROBE_INTERVAL_MS = 10_000;

export type WriteState = { ok: true } | { ok: false; reason: string; since: number };

export interface WriteProbeOptions {
  /** Commits one small write; throws when the database cannot be written. */
  write: () => void;
  log: Log;
  intervalMs: number;
  now?: () => number;
}

export class WriteProbe {
  private current: WriteState = { ok: true };
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  constructor(private readonly o: WriteProbeOptions) {
    this.now = o.now ?? Date.now;
  }

  /** Probes now and then every interval (the timer does not keep the process alive). */
  start(): void {
    if (this.timer) return;
    this.check();
    this.timer = setInterval(() => this.check(), this.o.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One probe write; returns whether it succeeded. */
  check(): boolean {
    try {
      this.o.write();
    } catch (e) {
      this.failed(storageFailure(e) ?? `the probe write failed: ${e instanceof Error ? e.message : String(e)}`);
      return false;
    }
    if (!this.current.ok) {
      this.o.log.info({ downForMs: this.now() - this.current.since }, 'database writable again');
      this.current = { ok: true };
    }
    return true;
  }

  /** Records a write failure seen elsewhere (a request); logged once per outage. */
  failed(reason: string): void {
    if (this.current.ok) {
      this.current = { ok: false, reason, since: this.now() };
      this.o.log.error({ reason }, 'database cannot be written; readiness fails until a probe write succeeds');
    }
  }

  state(): WriteState {
    return this.current;
  }
}
