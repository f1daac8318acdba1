import { describe, it, expect } from 'vitest';
import { until } from './wait.ts';

describe('until', () => {
  it('returns the first truthy value, treating 0, empty string, null, false and undefined as not yet', async () => {
    const answers: unknown[] = [undefined, null, false, 0, '', { done: true }];
    let calls = 0;
    const v = await until('the object', () => answers[calls++], { intervalMs: 1 });
    expect(v).toEqual({ done: true });
    expect(calls).toBe(6);
  });

  it('awaits an async fn', async () => {
    let n = 0;
    expect(await until('three', async () => (++n >= 3 ? n : undefined), { intervalMs: 1 })).toBe(3);
  });

  it('fails after the timeout naming what it waited for, the last value as JSON and the detail', async () => {
    const start = Date.now();
    const err = await until('the thing', () => false, { timeoutMs: 50, intervalMs: 5, detail: () => 'server said no' }).catch((e: Error) => e);
    expect(Date.now() - start).toBeGreaterThanOrEqual(50);
    expect((err as Error).message).toBe('timed out after 50 ms waiting for the thing (last: false)\nserver said no');
    for (const [last, shown] of [['', '""'], [null, 'null'], [undefined, 'undefined'], [0, '0']] as const) {
      const e = await until('x', () => last, { timeoutMs: 5, intervalMs: 1 }).catch((x: Error) => x);
      expect((e as Error).message).toBe(`timed out after 5 ms waiting for x (last: ${shown})`);
    }
  });

  it('passes a throw from fn through at once', async () => {
    let calls = 0;
    await expect(until('never', () => { calls++; throw new Error('boom'); }, { timeoutMs: 1_000 })).rejects.toThrow('boom');
    expect(calls).toBe(1);
  });
});
