/**
 * The small controller runtime the simulated OpenShift and KubeVirt controllers share: a keyed work
 * queue (one reconcile per key at a time, de-duplicated, delayed re-queues, retry with back-off) and
 * informers that restart with back-off after errors (client-node's informer re-lists by itself only
 * on 410 and simply stops on anything else).
 */
import { makeInformer, type KubeConfig, type KubernetesObject, type ListPromise } from '@kubernetes/client-node';

export type Log = (msg: string) => void;

/** HTTP status of a client-node error (`ApiException.code`, watch errors carry `statusCode`). */
export function errorCode(e: unknown): number | undefined {
  const err = e as { code?: unknown; statusCode?: unknown };
  if (typeof err?.code === 'number') return err.code;
  if (typeof err?.statusCode === 'number') return err.statusCode;
  return undefined;
}

/** The Kubernetes `Status` message of a client-node error, else the error's own message. */
export function errorMessage(e: unknown): string {
  const body = (e as { body?: unknown })?.body;
  let parsed: unknown = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      parsed = undefined;
    }
  }
  const msg = (parsed as { message?: unknown })?.message;
  if (typeof msg === 'string' && msg) return msg;
  return (e as Error)?.message?.split('\n')[0] ?? String(e);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Keyed work queue. A key added while it is being processed is processed again afterwards; a failing
 * key is retried with exponential back-off (50 ms → 5 s); `addAfter` schedules a later visit.
 */
export class WorkQueue {
  private readonly pending = new Set<string>();
  private readonly active = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly failures = new Map<string, number>();
  private readonly order: string[] = [];
  private running = 0;
  private stopped = false;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly handler: (key: string) => Promise<void>,
    private readonly log: Log,
    private readonly concurrency = 8,
  ) {}

  add(key: string): void {
    if (this.stopped) return;
    if (this.active.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.pending.has(key)) return;
    this.pending.add(key);
    this.order.push(key);
    this.pump();
  }

  addAfter(key: string, ms: number): void {
    if (this.stopped) return;
    if (ms <= 0) return this.add(key);
    const existing = this.timers.get(key);
    if (existing) clearTimeout(existing);
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        this.add(key);
      }, ms),
    );
  }

  /** Resolves once nothing is queued or running (timers excluded). */
  async idle(): Promise<void> {
    if (this.running === 0 && this.order.length === 0) return;
    await new Promise<void>((r) => this.idleWaiters.push(r));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.order.length = 0;
    this.pending.clear();
    // In-flight reconciles finish their current API call; bounded, since one may wait on a cache
    // that never syncs (API server gone).
    const deadline = Date.now() + 2000;
    while (this.running > 0 && Date.now() < deadline) await sleep(5);
  }

  private pump(): void {
    while (!this.stopped && this.running < this.concurrency && this.order.length > 0) {
      const key = this.order.shift()!;
      this.pending.delete(key);
      this.active.add(key);
      this.running++;
      void this.run(key);
    }
    if (this.running === 0 && this.order.length === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      waiters.forEach((w) => w());
    }
  }

  private async run(key: string): Promise<void> {
    try {
      await this.handler(key);
      this.failures.delete(key);
    } catch (e) {
      const n = (this.failures.get(key) ?? 0) + 1;
      this.failures.set(key, n);
      const delay = Math.min(5000, 50 * 2 ** (n - 1));
      if (!this.stopped) this.log(`reconcile ${key} failed (retry ${n} in ${delay} ms): ${errorMessage(e)}`);
      this.addAfter(key, delay);
    } finally {
      this.active.delete(key);
      this.running--;
      if (this.dirty.delete(key)) this.add(key);
      this.pump();
    }
  }
}

export interface ManagedInformer<T extends KubernetesObject> {
  get(name: string, namespace?: string): T | undefined;
  list(namespace?: string): ReadonlyArray<T>;
  /** Resolves after the first successful list. */
  synced: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts a client-node informer on `path` and keeps it alive: after an error (other than the 410 it
 * handles itself) it is restarted with back-off (100 ms → 5 s), which re-lists and resumes watching.
 */
export function startInformer<T extends KubernetesObject>(
  kc: KubeConfig,
  path: string,
  list: ListPromise<T>,
  onEvent: (type: 'add' | 'update' | 'delete', obj: T) => void,
  log: Log,
): ManagedInformer<T> {
  let stopped = false;
  let failures = 0;
  let restartTimer: NodeJS.Timeout | undefined;
  let markSynced!: () => void;
  const synced = new Promise<void>((r) => (markSynced = r));
  const listAndMark: ListPromise<T> = async () => {
    const result = await list();
    failures = 0;
    markSynced();
    return result;
  };
  const informer = makeInformer<T>(kc, path, listAndMark);
  informer.on('add', (o) => onEvent('add', o));
  informer.on('update', (o) => onEvent('update', o));
  informer.on('delete', (o) => onEvent('delete', o));
  informer.on('error', (err) => {
    if (stopped) return;
    failures++;
    const delay = Math.min(5000, 100 * 2 ** Math.min(failures - 1, 6));
    log(`informer ${path}: ${errorMessage(err)}; restarting in ${delay} ms`);
    restartTimer = setTimeout(() => {
      restartTimer = undefined;
      if (!stopped) informer.start().catch((e) => log(`informer ${path} restart failed: ${errorMessage(e)}`));
    }, delay);
  });
  informer.start().catch((e) => log(`informer ${path} start failed: ${errorMessage(e)}`));
  return {
    get: (name, namespace) => informer.get(name, namespace),
    list: (namespace) => informer.list(namespace),
    synced,
    async stop() {
      stopped = true;
      if (restartTimer) clearTimeout(restartTimer);
      await informer.stop();
    },
  };
}

export const keyOf = (o: KubernetesObject) => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;

export function splitKey(key: string): { namespace: string; name: string } {
  const i = key.indexOf('/');
  return { namespace: key.slice(0, i), name: key.slice(i + 1) };
}
