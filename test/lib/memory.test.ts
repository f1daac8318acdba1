import { describe, it, expect } from 'vitest';
import { collectGarbage } from '#lib/memory.ts';

describe('collectGarbage', () => {
  it('runs a full collection that frees unreachable memory', () => {
    let big: number[][] | undefined = Array.from({ length: 200 }, () => new Array(50_000).fill(1));
    const before = process.memoryUsage().heapUsed;
    big = undefined;
    expect(big).toBeUndefined();
    expect(collectGarbage()).toBe(true);
    // 200 × 50,000 small integers ≈ 80 MB of arrays: most of it must be gone.
    expect(before - process.memoryUsage().heapUsed).toBeGreaterThan(40 * 2 ** 20);
  });

  it('can run again', () => {
    expect(collectGarbage()).toBe(true);
  });
});
