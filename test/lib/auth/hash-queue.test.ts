import { describe, it, expect } from 'vitest';
import { HashQueue, HashQueueFullError } from '#lib/auth/hash-queue.ts';

/** A task that finishes when the test says so. */
function gate() {
  let open!: () => void;
  const done = new Promise<void>((r) => { open = r; });
  return { open, task: () => done };
}
const flush = () => new Promise((r) => setImmediate(r));

describe('lib/auth/hash-queue', () => {
  it('runs at most `concurrency` tasks at once, the rest in order of priority, then arrival', async () => {
    const q = new HashQueue({ concurrency: 2, maxWaiting: 10 });
    const started: string[] = [];
    const gates = new Map<string, ReturnType<typeof gate>>();
    const run = (name: string, priority: number) => {
      const g = gate();
      gates.set(name, g);
      return q.run(priority, () => { started.push(name); return g.task(); });
    };
    const all = [run('a', 3), run('b', 3), run('c', 5), run('d', 0), run('e', 5), run('f', 0)];
    await flush();
    expect(started).toEqual(['a', 'b']);
    expect(q.stats()).toEqual({ running: 2, waiting: 4 });
    gates.get('a')!.open();
    await flush();
    expect(started).toEqual(['a', 'b', 'd']);
    for (const n of ['b', 'd', 'f', 'c', 'e']) { gates.get(n)!.open(); await flush(); }
    expect(started).toEqual(['a', 'b', 'd', 'f', 'c', 'e']);
    await Promise.all(all);
    expect(q.stats()).toEqual({ running: 0, waiting: 0 });
  });

  it('refuses at once when the queue is full, unless the newcomer ranks before the worst waiting task', async () => {
    const q = new HashQueue({ concurrency: 1, maxWaiting: 2 });
    const g = gate();
    const running = q.run(9, g.task);
    const w1 = q.run(4, async () => 'w1');
    const w2 = q.run(4, async () => 'w2');
    await expect(q.run(4, async () => 'late')).rejects.toBeInstanceOf(HashQueueFullError);
    // A clean login (priority 0) pushes out the newest of the worst waiting ones.
    const clean = q.run(0, async () => 'clean');
    await expect(w2).rejects.toBeInstanceOf(HashQueueFullError);
    g.open();
    await running;
    expect(await clean).toBe('clean');
    expect(await w1).toBe('w1');
  });

  it('frees its slot when a task fails', async () => {
    const q = new HashQueue({ concurrency: 1, maxWaiting: 1 });
    await expect(q.run(0, async () => { throw new Error('boom'); })).rejects.toThrow('boom');
    expect(await q.run(0, async () => 'next')).toBe('next');
    expect(q.stats()).toEqual({ running: 0, waiting: 0 });
  });
});
