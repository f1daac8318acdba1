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
  it('reports how late its timer ran, decaying by half per tick once the loop is on time', () => {
    vi.useFakeTimers();
    try {
      let t = 0;
      const m = new LagMonitor(10, () => t);
      m.start();
      // On time: no lag.
      t = 10; vi.advanceTimersByTime(10);
      expect(m.lagMs()).toBe(0);
      // The tick due at 20 runs at 100 (a long task): 80 ms late.
      t = 100; vi.advanceTimersByTime(10);
      expect(m.lagMs()).toBe(80);
      // Then on time again: 40, 20, ...
      t = 110; vi.advanceTimersByTime(10);
      expect(m.lagMs()).toBe(40);
      t = 120; vi.advanceTimersByTime(10);
      expect(m.lagMs()).toBe(20);
      m.stop();
    } finally {
      vi.useRealTimers();
    }
  });
});
