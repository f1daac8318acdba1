import { describe, it, expect } from 'vitest';
import { iso } from '#lib/views/common.ts';

describe('iso', () => {
  it('formats milliseconds as ISO 8601 UTC with milliseconds, null for no time', () => {
    expect(iso(Date.UTC(2024, 1, 29, 23, 59, 58, 7))).toBe('2024-02-29T23:59:58.007Z');
    expect(iso(0)).toBe('1970-01-01T00:00:00.000Z');
    expect(iso(null)).toBeNull();
    expect(iso(undefined)).toBeNull();
  });

  it('answers the same as toISOString for repeated and many distinct times (past the memo size)', () => {
    const base = Date.UTC(2025, 5, 1);
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 10_000; i++) {
        const ms = base + i * 1_234_567;
        expect(iso(ms)).toBe(new Date(ms).toISOString());
      }
    }
  });
});
