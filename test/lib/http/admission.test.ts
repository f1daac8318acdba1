import { describe, expect, it, vi } from 'vitest';
import { Hono } from 'hono';
import { Registry } from 'prom-client';
import { Admission, LagMonitor, RETRY_AFTER_SECONDS } from '#lib/http/admission.ts';
import { deferred } from '#test/support/deferred.ts';

/** An app behind `admission` whose /hold answers only when the test releases it. */
function appWith(admission: Admission) {
  const app = new Hono();
  app.use('*', admission.middleware());
  const holds: ReturnType<typeof deferred<void>>[] = [];
  app.get('/hold', async (c) => { const d = deferred<void>(); holds.push(d); await d.promise; return c.text('done'); });
  app.get('/fast', (c) => c.text('ok'));
  app.get('/readyz', (c) => c.text('ready'));
  const req = (path: string) => app.request(path);
  return { req, holds };
}

async function expectRefused(res: Response, cause: RegExp) {
  expect(res.status).toBe(503);
  expect(res.headers.get('retry-after')).toBe(String(RETRY_AFTER_SECONDS));
  const body = await res.json() as { minorErrorCode: string; message: string };
  expect(body.minorErrorCode).toBe('SERVER_BUSY');
  expect(body.message).toMatch(cause);
}

describe('Admission', () => {
  it('refuses at once, with Retry-After, while maxInFlight requests are being served, and admits again when one ends', async () => {
    const registry = new Registry();
    const admission = new Admission({ maxInFlight: 2, maxLagMs: 0, lagMs: () => 0, registry });
    const { req, holds } = appWith(admission);
    const a = req('/hold');
    const b = req('/hold');
    await vi.waitFor(() => expect(holds).toHaveLength(2));
    expect(admission.current).toBe(2);
    await expectRefused(await req('/fast'), /too many requests in progress/);
    holds[0]!.resolve();
    expect((await a).status).toBe(200);
    expect((await req('/fast')).status).toBe(200);
    holds[1]!.resolve();
    await b;
    expect(admission.current).toBe(0);
    expect(await registry.metrics()).toContain('ssvirt_http_requests_refused_total{reason="in-flight"} 1');
  });

  it('refuses while the event loop lags more than maxLagMs, and admits once it catches up', async () => {
    let lag = 150;
    const { req } = appWith(new Admission({ maxInFlight: 100, maxLagMs: 60, lagMs: () => lag }));
    await expectRefused(await req('/fast'), /CPU is saturated/);
    lag = 59;
    expect((await req('/fast')).status).toBe(200);
  });

  it('always serves the probes', async () => {
    const { req } = appWith(new Admission({ maxInFlight: 0, maxLagMs: 1, lagMs: () => 1_000 }));
    expect((await req('/readyz')).status).toBe(200);
    expect((await req('/fast')).status).toBe(503);
  });

  it('ignores the lag when maxLagMs is 0', async () => {
    const { req } = appWith(new Admission({ maxInFlight: 10, maxLagMs: 0, lagMs: () => 10_000 }));
    expect((await req('/fast')).status).toBe(200);
  });
});

describe('LagMonitor', () => {
  /** Runs `ticks` timer ticks, each `late` ms after it was due. */
  function drive(m: LagMonitor, clock: { t: number }, ticks: number, late: number) {
    for (let i = 0; i < ticks; i++) {
      clock.t += 10 + late;
      vi.advanceTimersByTime(10);
    }
  }

  it('follows a sustained lag, barely moves for one long task, and falls back once the loop is on time', () => {
    vi.useFakeTimers();
    try {
      const clock = { t: 0 };
      const m = new LagMonitor(10, () => clock.t, 500);
      m.start();
      drive(m, clock, 10, 0);
      expect(m.lagMs()).toBe(0);
      // One 150 ms stall (a GC pause): far below a 60 ms threshold.
      drive(m, clock, 1, 150);
      const afterStall = m.lagMs();
      expect(afterStall).toBeGreaterThan(0);
      expect(afterStall).toBeLessThan(60);
      // Saturation: every tick 100 ms late for 2 s.
      drive(m, clock, 18, 100);
      expect(m.lagMs()).toBeGreaterThan(60);
      // On time again: below the threshold within about a window.
      drive(m, clock, 60, 0);
      expect(m.lagMs()).toBeLessThan(30);
      m.stop();
    } finally {
      vi.useRealTimers();
    }
  });
});
