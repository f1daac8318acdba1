/**
 * The supervised informer against the Kubernetes API simulator: first list, watch events,
 * restarts with back-off after failures and dropped watches, a re-list after 410 Gone,
 * sync state (synced(), waitForSync, metrics) and a clean stop.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CoreV1Api, type V1Secret } from '@kubernetes/client-node';
import { Registry } from 'prom-client';
import { startSimulator, type Simulator } from '#test/cluster/index.ts';
import { startInformer, type InformerEvent, type SupervisedInformer } from '#lib/k8s/informer.ts';
import { K8sMetrics } from '#lib/k8s/metrics.ts';
import { createLog } from '#lib/log.ts';
import { until } from '#test/support/wait.ts';

let sim: Simulator;
let core: CoreV1Api;
const running: SupervisedInformer<V1Secret>[] = [];
let nsCounter = 0;

beforeAll(async () => {
  sim = await startSimulator({ tls: true });
  core = sim.kubeConfig().makeApiClient(CoreV1Api);
});
afterEach(async () => {
  sim.faults.clear();
  await Promise.all(running.splice(0).map((i) => i.stop()));
});
afterAll(async () => {
  await sim?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** The informer's back-off starts at 20 ms: poll more often than it retries. */
const POLL = { intervalMs: 10 };

/** A fresh namespace per test, so no test sees another's secrets. */
async function namespace(): Promise<string> {
  const name = `inf-${++nsCounter}`;
  await core.createNamespace({ body: { metadata: { name } } });
  return name;
}

const secret = (ns: string, name: string, labels: Record<string, string> = { app: 'inf' }) =>
  core.createNamespacedSecret({ namespace: ns, body: { metadata: { name, labels }, stringData: { v: '1' } } });

/** Starts an informer on the secrets labelled app=inf of `ns`, recording what it reports. */
function watchSecrets(ns: string, backoff = { initialMs: 40, maxMs: 320 }) {
  const events: [InformerEvent, string][] = [];
  const logs: { msg: string; retryInMs?: number; informer?: string }[] = [];
  const registry = new Registry();
  const metrics = new K8sMetrics(registry);
  let lists = 0;
  let synced = 0;
  const inf = startInformer<V1Secret>({
    name: `secrets:${ns}`,
    kc: sim.kubeConfig(),
    path: `/api/v1/namespaces/${ns}/secrets`,
    labelSelector: 'app=inf',
    list: () => { lists++; return core.listNamespacedSecret({ namespace: ns, labelSelector: 'app=inf' }); },
    onEvent: (type, o) => events.push([type, o.metadata!.name!]),
    onSynced: () => synced++,
    log: createLog('info', { write: (s: string) => void logs.push(JSON.parse(s)) }),
    metrics,
    backoff,
  });
  running.push(inf);
  const gauge = async () => (await registry.getSingleMetric('ssvirt_informer_synced')!.get()).values[0]?.value;
  const restarts = async () => (await registry.getSingleMetric('ssvirt_informer_restarts_total')!.get()).values[0]?.value ?? 0;
  const retries = () => logs.filter((l) => l.msg === 'informer stopped; restarting').map((l) => l.retryInMs);
  return { inf, events, logs, gauge, restarts, retries, lists: () => lists, syncs: () => synced };
}

const names = (inf: SupervisedInformer<V1Secret>) => inf.list().map((s) => s.metadata!.name).sort();

describe('startInformer', () => {
  it('lists what exists (matching its selector), then reports synced', async () => {
    const ns = await namespace();
    await secret(ns, 'a');
    await secret(ns, 'b');
    await secret(ns, 'other', { app: 'else' });
    const w = watchSecrets(ns);
    expect(await w.inf.waitForSync(5_000)).toBe(true);
    expect(w.inf.synced()).toBe(true);
    expect(w.inf.name).toBe(`secrets:${ns}`);
    expect(names(w.inf)).toEqual(['a', 'b']);
    expect(w.inf.get('a', ns)?.metadata?.name).toBe('a');
    expect(w.inf.get('other', ns)).toBeUndefined();
    expect(w.inf.list(ns)).toHaveLength(2);
    expect(w.inf.list('elsewhere')).toEqual([]);
    expect(w.events.sort()).toEqual([['add', 'a'], ['add', 'b']]);
    expect(w.syncs()).toBe(1);
    expect(await w.gauge()).toBe(1);
    expect(await w.restarts()).toBe(0);
  });

  it('delivers add, update and delete events from the watch', async () => {
    const ns = await namespace();
    await secret(ns, 'a');
    const w = watchSecrets(ns);
    await w.inf.waitForSync(5_000);
    w.events.length = 0;
    await secret(ns, 'c');
    await secret(ns, 'ignored', { app: 'else' });
    const a = await core.readNamespacedSecret({ namespace: ns, name: 'a' });
    a.metadata!.annotations = { touched: 'yes' };
    await core.replaceNamespacedSecret({ namespace: ns, name: 'a', body: a });
    await core.deleteNamespacedSecret({ namespace: ns, name: 'c' });
    await until('three events', () => w.events.length >= 3, POLL);
    await sleep(100);
    expect(w.events).toEqual([['add', 'c'], ['update', 'a'], ['delete', 'c']]);
    expect(names(w.inf)).toEqual(['a']);
    expect(w.inf.get('a', ns)?.metadata?.annotations?.touched).toBe('yes');
    expect(await w.restarts()).toBe(0);
  });

  it('is not synced while the list fails, retries with doubling back-off up to the cap, and syncs once the API answers', async () => {
    const ns = await namespace();
    await secret(ns, 'a');
    sim.faults.inject({ verb: 'list', resource: 'secrets', namespace: ns, status: 503 });
    const w = watchSecrets(ns, { initialMs: 20, maxMs: 80 });
    expect(await w.inf.waitForSync(300)).toBe(false);
    expect(w.inf.synced()).toBe(false);
    expect(await w.gauge()).toBe(0);
    await until('five retries', () => w.retries().length >= 5, POLL);
    expect(w.retries().slice(0, 5)).toEqual([20, 40, 80, 80, 80]);
    expect(await w.restarts()).toBeGreaterThanOrEqual(5);
    expect(w.logs[0]).toMatchObject({ informer: `secrets:${ns}` });
    sim.faults.clear();
    expect(await w.inf.waitForSync(3_000)).toBe(true);
    expect(names(w.inf)).toEqual(['a']);
    expect(await w.gauge()).toBe(1);
    expect(w.syncs()).toBe(1);
  });

  it('restarts with back-off after its watch drops and resumes from where it was, delivering what it missed', async () => {
    const ns = await namespace();
    await secret(ns, 'a');
    await secret(ns, 'b');
    const w = watchSecrets(ns);
    await w.inf.waitForSync(5_000);
    w.events.length = 0;
    // New watches fail; the outage cuts the one that is open.
    const watchFails = sim.faults.inject({ verb: 'watch', resource: 'secrets', namespace: ns, status: 500 });
    const outage = sim.faults.inject({ outage: true });
    await until('the informer to notice', () => !w.inf.synced(), POLL);
    expect(await w.gauge()).toBe(0);
    sim.faults.clear(outage);
    await until('two restarts', () => w.retries().length >= 2, POLL);
    // Changes while it is not watching.
    await secret(ns, 'missed');
    await core.deleteNamespacedSecret({ namespace: ns, name: 'b' });
    sim.faults.clear(watchFails);
    expect(await w.inf.waitForSync(3_000)).toBe(true);
    await until('the missed events', () => w.events.length >= 2, POLL);
    expect(w.events).toEqual([['add', 'missed'], ['delete', 'b']]);
    expect(names(w.inf)).toEqual(['a', 'missed']);
    // Resumed from its resourceVersion: no second list.
    expect(w.lists()).toBe(1);
    const r = w.retries();
    expect(r[1]).toBe(r[0]! * 2);
    expect(await w.restarts()).toBe(r.length);
    // Back-off starts over once it is synced again.
    const again = sim.faults.inject({ outage: true });
    await until('the next failure', () => w.retries().length > r.length, POLL);
    sim.faults.clear(again);
    expect(w.retries()[r.length]).toBe(40);
    expect(await w.inf.waitForSync(3_000)).toBe(true);
  });

  it('re-lists after 410 Gone on reconnect and reports removals as deletes', async () => {
    const ns = await namespace();
    await secret(ns, 'a');
    await secret(ns, 'b');
    const w = watchSecrets(ns);
    await w.inf.waitForSync(5_000);
    w.events.length = 0;
    const watchFails = sim.faults.inject({ verb: 'watch', resource: 'secrets', namespace: ns, status: 500 });
    const outage = sim.faults.inject({ outage: true });
    await until('the informer to notice', () => !w.inf.synced(), POLL);
    sim.faults.clear(outage);
    await until('a restart', () => w.retries().length >= 1, POLL);
    await secret(ns, 'late');
    await core.deleteNamespacedSecret({ namespace: ns, name: 'a' });
    // The next watch is told its resourceVersion is too old (an ERROR event with 410 Expired).
    sim.faults.inject({ verb: 'watch', resource: 'secrets', namespace: ns, dropWatch: 'gone', times: 1 });
    sim.faults.clear(watchFails);
    await until('a second list', () => w.lists() === 2, POLL);
    await until('the relisted state', () => names(w.inf).join() === 'b,late', POLL);
    expect(w.events.sort()).toEqual([['add', 'late'], ['delete', 'a']]);
    expect(await w.inf.waitForSync(3_000)).toBe(true);
    // The 410 itself is handled by re-listing, not counted as a failure.
    expect(await w.restarts()).toBe(w.retries().length);
    expect(sim.faults.list()).toEqual([]);
    // And it keeps watching.
    await secret(ns, 'after');
    await until('the add after the re-list', () => w.events.some(([t, n]) => t === 'add' && n === 'after'), POLL);
  });

  it('watches again by itself when the server ends a watch cleanly, without a restart or a re-list', async () => {
    const ns = await namespace();
    // Its first two watches end at once, as an API server ends a watch at its timeout.
    sim.faults.inject({ verb: 'watch', resource: 'secrets', namespace: ns, dropWatch: 'close', times: 2 });
    const w = watchSecrets(ns);
    expect(await w.inf.waitForSync(5_000)).toBe(true);
    await until('both closes used', () => sim.faults.list().length === 0, POLL);
    await secret(ns, 'x');
    await until('the add', () => w.events.some(([, n]) => n === 'x'), POLL);
    expect(w.inf.synced()).toBe(true);
    expect(await w.restarts()).toBe(0);
    expect(w.lists()).toBe(1);
  });

  it('stops cleanly: no more events, not synced, and no restart pending', async () => {
    const ns = await namespace();
    const w = watchSecrets(ns);
    await w.inf.waitForSync(5_000);
    await w.inf.stop();
    expect(w.inf.synced()).toBe(false);
    expect(await w.gauge()).toBe(0);
    await secret(ns, 'after-stop');
    await sleep(200);
    expect(w.events).toEqual([]);
  });

  it('does not restart after being stopped during its back-off', async () => {
    const ns = await namespace();
    sim.faults.inject({ verb: 'list', resource: 'secrets', namespace: ns, status: 503 });
    const w = watchSecrets(ns, { initialMs: 50, maxMs: 50 });
    await until('a failure', () => w.retries().length >= 1, POLL);
    await w.inf.stop();
    const lists = w.lists();
    sim.faults.clear();
    await sleep(250);
    expect(w.lists()).toBe(lists);
    expect(w.inf.synced()).toBe(false);
    expect(await w.inf.waitForSync(50)).toBe(false);
  });

  it('opens no watch and reports nothing when stopped while its first list is in flight', async () => {
    const ns = await namespace();
    await secret(ns, 'early');
    sim.faults.inject({ verb: 'list', resource: 'secrets', namespace: ns, latencyMs: 200, times: 1 });
    const w = watchSecrets(ns);
    await sleep(20);
    await w.inf.stop();
    await sleep(400);
    await secret(ns, 'late');
    await sleep(200);
    expect(w.events).toEqual([]);
    expect(w.inf.synced()).toBe(false);
    expect(w.syncs()).toBe(0);
  });
});
