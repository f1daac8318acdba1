import { describe, expect, it } from 'vitest';
import { WriteProbe } from '#lib/write-probe.ts';
import { openDb } from '#db/client.ts';
import { probeWriter } from '#db/write-probe.ts';

function recorder() {
  const lines: [string, string, unknown][] = [];
  const log = {
    error: (o: unknown, m: string) => lines.push(['error', m, o]),
    info: (o: unknown, m: string) => lines.push(['info', m, o]),
  } as never;
  return { log, lines };
}

describe('WriteProbe', () => {
  it('fails on a failing write with the storage reason, logs the outage once, recovers on the next good write', () => {
    const { log, lines } = recorder();
    let broken = true;
    let t = 1_000;
    const full = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    const probe = new WriteProbe({ write: () => { if (broken) throw full; }, log, intervalMs: 10_000, now: () => t });
    expect(probe.state()).toEqual({ ok: true });
    expect(probe.check()).toBe(false);
    expect(probe.check()).toBe(false);
    expect(probe.state()).toEqual({ ok: false, reason: 'the disk holding the database is full (SQLITE_FULL)', since: 1_000 });
    probe.failed('seen by a request');
    expect(lines.filter(([level]) => level === 'error')).toHaveLength(1);
    broken = false;
    t = 4_000;
    expect(probe.check()).toBe(true);
    expect(probe.state()).toEqual({ ok: true });
    expect(lines.at(-1)).toEqual(['info', 'database writable again', { downForMs: 3_000 }]);
  });

  it('keeps the message of a failure that is not a storage code', () => {
    const { log } = recorder();
    const probe = new WriteProbe({ write: () => { throw new Error('no such table: write_probe'); }, log, intervalMs: 10_000 });
    probe.check();
    expect(probe.state()).toMatchObject({ ok: false, reason: 'the probe write failed: no such table: write_probe' });
  });

  it('probes on start and then every interval', async () => {
    const { vi } = await import('vitest');
    vi.useFakeTimers();
    try {
      let writes = 0;
      const probe = new WriteProbe({ write: () => { writes++; }, log: recorder().log, intervalMs: 10_000 });
      probe.start();
      expect(writes).toBe(1);
      vi.advanceTimersByTime(30_000);
      expect(writes).toBe(4);
      probe.stop();
      vi.advanceTimersByTime(30_000);
      expect(writes).toBe(4);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('probeWriter', () => {
  it('commits a real write, and fails once the database cannot be written', () => {
    const db = openDb(':memory:');
    const write = probeWriter(db, () => 42);
    write();
    write();
    expect(db.$client.prepare('SELECT id, at FROM write_probe').all()).toEqual([{ id: 1, at: 42 }]);
    db.$client.pragma('query_only = ON');
    expect(() => write()).toThrow(/readonly/);
  });
});
