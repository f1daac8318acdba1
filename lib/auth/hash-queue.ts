/**
 * The one gate in front of password hashing. Each scrypt at the production cost takes ~0.4 s of a
 * core and 128 MiB, so a few run at once (`concurrency`) and a bounded number wait (`maxWaiting`);
 * beyond that a check is refused at once rather than queued for minutes. Waiting checks run by
 * priority (0 = no recent failures for the user or address), so a flood of failing guesses cannot
 * starve a clean login: a full queue gives the clean one the place of the worst waiting guess.
 */

/** The queue is full and this check ranks no better than what waits: answered with 429. */
export class HashQueueFullError extends Error {
  constructor() {
    super('password checks are queued to capacity');
    this.name = 'HashQueueFullError';
  }
}

export interface HashQueueOptions {
  /** Hashes run at the same time (threads and 128 MiB each). */
  concurrency: number;
  /** Checks waiting for a slot; a further one is refused. */
  maxWaiting: number;
}

interface Waiter {
  priority: number;
  start: () => void;
  refuse: (e: Error) => void;
}

export class HashQueue {
  private running = 0;
  /** Sorted by priority, then arrival: the head runs next, the tail is evicted first. */
  private waiting: Waiter[] = [];

  constructor(private readonly opts: HashQueueOptions) {}

  /** Runs `task` when a slot is free; lower `priority` runs sooner. Rejects with HashQueueFullError when refused. */
  run<T>(priority: number, task: () => Promise<T>): Promise<T> {
    if (this.running < this.opts.concurrency && this.waiting.length === 0) return this.execute(task);
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter = { priority, start: () => { this.execute(task).then(resolve, reject); }, refuse: reject };
      if (this.waiting.length >= this.opts.maxWaiting) {
        const worst = this.waiting[this.waiting.length - 1];
        if (!worst || worst.priority <= priority) { reject(new HashQueueFullError()); return; }
        this.waiting.pop();
        worst.refuse(new HashQueueFullError());
      }
      // After every waiter of the same or better priority: arrival order within a priority.
      let i = this.waiting.length;
      while (i > 0 && this.waiting[i - 1]!.priority > priority) i--;
      this.waiting.splice(i, 0, waiter);
    });
  }

  /** What runs and waits now (for tests and metrics). */
  stats(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }

  private async execute<T>(task: () => Promise<T>): Promise<T> {
    this.running++;
    try {
      return await task();
    } finally {
      this.running--;
      this.waiting.shift()?.start();
    }
  }
}
