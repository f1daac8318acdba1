/**
 * Admission control: the server takes on only what its one thread can serve. Under overload every
 * request used to be accepted and queued behind the others (100 clients: p99 2.3 s, event-loop
 * delay 0.5 s); now a request is refused at once, 503 with `Retry-After`, when
 *
 * - the event loop is already late by more than `maxLagMs` (the work admitted is more than the
 *   CPU keeps up with; the lag is what every admitted request would wait on top of its own work),
 * - or `maxInFlight` requests are being served (a hard bound on memory for bodies and answers).
 *
 * A refusal costs a parse and a small answer, far less than the work it spares, so the lag falls
 * and requests are admitted again at once: no queue builds up, and admitted requests keep their
 * latency. Probes and metrics are exempt: a busy server is not a dead one.
 */
import type { MiddlewareHandler } from 'hono';
import { Counter, type Registry } from 'prom-client';
import { envelope } from './errors.ts';

/** Seconds a refused client should wait (small: the overload is usually over by then). */
export const RETRY_AFTER_SECONDS = 1;

/** Paths always admitted: the kubelet's probes and Prometheus must get through a busy server. */
const EXEMPT = new Set(['/healthz', '/readyz', '/api/v1/health', '/metrics']);

export interface AdmissionOptions {
  /** Requests served at once before new ones are refused. */
  maxInFlight: number;
  /** Event-loop lag (ms) above which new requests are refused; 0 = lag is not considered. */
  maxLagMs: number;
  /** The current event-loop lag in ms (see LagMonitor). */
  lagMs: () => number;
  registry?: Registry;
}

export type RefusalReason = 'lag' | 'in-flight';

export class Admission {
  private inFlight = 0;
  private readonly refused?: Counter<'reason'>;

  constructor(private readonly o: AdmissionOptions) {
    if (o.registry) {
      this.refused = new Counter({
        name: 'ssvirt_http_requests_refused_total', help: 'Requests refused by admission control (503 with Retry-After), by reason',
        labelNames: ['reason'] as const, registers: [o.registry],
      });
    }
  }

  /** Why a request would be refused now, or undefined when it is admitted. */
  check(): RefusalReason | undefined {
    if (this.inFlight >= this.o.maxInFlight) return 'in-flight';
    if (this.o.maxLagMs > 0 && this.o.lagMs() > this.o.maxLagMs) return 'lag';
    return undefined;
  }

  /** Requests being served now. */
  get current(): number {
    return this.inFlight;
  }

  /** The Hono middleware; first in the chain, so a refusal costs as little as possible. */
  middleware(): MiddlewareHandler {
    return async (c, next) => {
      if (EXEMPT.has(c.req.path)) return next();
      const why = this.check();
      if (why) {
        this.refused?.inc({ reason: why });
        return c.json(envelope(503, 'SERVER_BUSY', `The server is at capacity (${why === 'lag' ? 'its CPU is saturated' : 'too many requests in progress'}); retry in ${RETRY_AFTER_SECONDS} s`), 503, {
          'Retry-After': String(RETRY_AFTER_SECONDS),
          'Cache-Control': 'no-store',
        });
      }
      this.inFlight++;
      try {
        await next();
      } finally {
        this.inFlight--;
      }
    };
  }
}

/**
 * The event loop's sustained lag: a timer due every `intervalMs` notes how late it ran, averaged
 * over time with a time constant of `windowMs`. Saturation (every tick late) shows within about a
 * window; one long task (a GC pause, a big informer list) barely moves it, so it sheds no requests
 * (a decaying maximum did, and a restart under load refused the first requests after it).
 */
export class LagMonitor {
  private lag = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly intervalMs = 10, private readonly now: () => number = () => performance.now(), private readonly windowMs = 500) {}

  start(): void {
    if (this.timer) return;
    let last = this.now();
    let expected = last + this.intervalMs;
    this.timer = setInterval(() => {
      const t = this.now();
      // Weighted by the time since the last tick: a stall counts for its length, not once per tick.
      const w = 1 - Math.exp(-(t - last) / this.windowMs);
      this.lag += (Math.max(0, t - expected) - this.lag) * w;
      last = t;
      expected = t + this.intervalMs;
    }, this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  lagMs(): number {
    return this.lag;
  }
}
