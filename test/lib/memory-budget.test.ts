import { describe, expect, it } from 'vitest';
import { BASELINE_BYTES, budgetProblem, containerMemoryLimit, memoryBudget } from '#lib/memory-budget.ts';

const MiB = 2 ** 20;
const files = (m: Record<string, string>) => (p: string) => { if (p in m) return m[p]!; throw new Error('ENOENT'); };

describe('containerMemoryLimit', () => {
  it('reads cgroup v2 memory.max, "max" meaning no limit', () => {
    expect(containerMemoryLimit(files({ '/sys/fs/cgroup/memory.max': '268435456\n' }))).toBe(256 * MiB);
    expect(containerMemoryLimit(files({ '/sys/fs/cgroup/memory.max': 'max\n' }))).toBeNull();
  });

  it('falls back to cgroup v1, whose huge number means no limit', () => {
    expect(containerMemoryLimit(files({ '/sys/fs/cgroup/memory/memory.limit_in_bytes': '536870912' }))).toBe(512 * MiB);
    expect(containerMemoryLimit(files({ '/sys/fs/cgroup/memory/memory.limit_in_bytes': '9223372036854771712' }))).toBeNull();
    expect(containerMemoryLimit(files({}))).toBeNull();
  });
});

describe('budgetProblem', () => {
  it('says nothing without a limit or when heap, hashing and baseline fit', () => {
    expect(budgetProblem({ limitBytes: null, heapLimitBytes: 4096 * MiB, hashingBytes: 256 * MiB })).toBeUndefined();
    expect(budgetProblem({ limitBytes: 512 * MiB, heapLimitBytes: 192 * MiB, hashingBytes: 256 * MiB })).toBeUndefined();
  });

  it('names the figures and what to change when they do not fit', () => {
    const why = budgetProblem({ limitBytes: 256 * MiB, heapLimitBytes: 176 * MiB, hashingBytes: 256 * MiB });
    expect(why).toBe(`the memory limit is 256 MiB, but the heap may grow to 176 MiB and password hashing takes 256 MiB (+${BASELINE_BYTES / MiB} MiB baseline): lower --max-old-space-size in NODE_OPTIONS or SSVIRT_PASSWORD_HASH_CONCURRENCY, or raise the limit`);
  });

  it('takes the heap limit from V8', () => {
    const b = memoryBudget(2, 128 * MiB, 1024 * MiB);
    expect(b.hashingBytes).toBe(256 * MiB);
    expect(b.heapLimitBytes).toBeGreaterThan(16 * MiB);
  });
});
