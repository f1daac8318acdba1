/**
 * Whether the process fits its container. V8 sizes its heap from the machine (or the cgroup) and
 * password hashing takes 128 MiB per concurrent scrypt outside the heap, so a pod can be killed
 * for memory long before V8 feels pressure. The start reads the container's memory limit and
 * says, in one line, how the heap limit and hashing compare with it (docs/operations.md "Memory").
 */
import { readFileSync } from 'node:fs';
import { getHeapStatistics } from 'node:v8';

/** What the process needs beside the old-space heap: code, new space, buffers, SQLite's cache. */
export const BASELINE_BYTES = 64 * 2 ** 20;

/** cgroup v2, then v1: where the kernel publishes the container's memory limit. */
const LIMIT_FILES = ['/sys/fs/cgroup/memory.max', '/sys/fs/cgroup/memory/memory.limit_in_bytes'];
/** cgroup v1 says "no limit" with a huge number (the page-aligned maximum). */
const V1_UNLIMITED = 2 ** 60;

/** The container's memory limit in bytes, or null when there is none (or it cannot be read). */
export function containerMemoryLimit(read: (path: string) => string = (p) => readFileSync(p, 'utf8')): number | null {
  for (const path of LIMIT_FILES) {
    let text: string;
    try { text = read(path).trim(); } catch { continue; }
    if (text === 'max') return null;
    const n = Number(text);
    return Number.isFinite(n) && n > 0 && n < V1_UNLIMITED ? n : null;
  }
  return null;
}

export interface MemoryBudget {
  limitBytes: number | null;
  heapLimitBytes: number;
  /** Memory of the password hashes that may run at once. */
  hashingBytes: number;
}

/** The process's budget: its limit, V8's heap limit, and hashing at `hashConcurrency` × `bytesPerHash`. */
export function memoryBudget(hashConcurrency: number, bytesPerHash: number, limitBytes = containerMemoryLimit()): MemoryBudget {
  return { limitBytes, heapLimitBytes: getHeapStatistics().heap_size_limit, hashingBytes: hashConcurrency * bytesPerHash };
}

/** Why the budget does not fit its limit (for a warning at start), or undefined when it does. */
export function budgetProblem(b: MemoryBudget): string | undefined {
  if (b.limitBytes === null) return undefined;
  const need = b.heapLimitBytes + b.hashingBytes + BASELINE_BYTES;
  if (need <= b.limitBytes) return undefined;
  const mb = (n: number) => Math.round(n / 2 ** 20);
  return `the memory limit is ${mb(b.limitBytes)} MiB, but the heap may grow to ${mb(b.heapLimitBytes)} MiB and password hashing takes ${mb(b.hashingBytes)} MiB (+${mb(BASELINE_BYTES)} MiB baseline): `
    + 'lower --max-old-space-size in NODE_OPTIONS or SSVIRT_PASSWORD_HASH_CONCURRENCY, or raise the limit';
}
