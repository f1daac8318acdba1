/**
 * The ClusterRuntime against the simulator: health() and reachable() (a failed call, a call past
 * its timeout, the probe at start-up and its recovery), the power-mode detection done once, the
 * informers coming back after an outage, and stop(). Runtimes are built directly (no
 * reconciler) unless a test needs the one boot.ts binds.
 */
import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { Registry } from 'prom-client';
import { openDb } from '#db/client.ts';
import { loadConfig } from '#lib/config.ts';
import { createLog } from '#lib/log.ts';
import { ClusterRuntime } from '#lib/k8s/runtime.ts';
import { KubeApi } from '#lib/k8s/api.ts';
import { startSimulator, type Simulator } from '#test/cluster/index.ts';
import { clusterPerFile, type TestCluster } from '#test/support/cluster.ts';
import { findVm } from '#db/queries/vms.ts';
import { seedOrg, seedVapp, seedVdc, seedVm } from '#test/support/fixtures.ts';
import { until } from '#test/support/wait.ts';

type Obj = Record<string, any>;
const POLL = { timeoutMs: 8_000, intervalMs: 10 };
const OURS = { 'app.kubernetes.io/managed-by': 'ssvirt', 'app.kubernetes.io/component': 'vdc' };

let cluster: TestCluster;
let api: KubeApi;
const runtimes = clusterPerFile((c, a) => { cluster = c; api = a; });

/** A runtime on a fresh database, with its metrics and namespace events recorded. */
function runtime(o: { sim?: Simulator; timeoutMs?: number; lines?: Obj[] } = {}) {
  const namespaceEvents: string[] = [];
  const rt = new ClusterRuntime({
    kc: (o.sim ?? cluster.sim).kubeConfig(), config: loadConfig({ SSVIRT_DB_PATH: ':memory:' }), db: openDb(':memory:'),
    log: createLog('info', { write: (l: string) => { for (const x of l.split('\n')) if (x && o.lines) o.lines.push(JSON.parse(x)); } }), registry: new Registry(), timeoutMs: o.timeoutMs ?? 3_000,
    onNamespace: (type, ns) => namespaceEvents.push(`${type} ${ns.metadata?.name}`),
  });
  runtimes.push(rt);
  return { rt, namespaceEvents };
}

/** Calls the runtime made, by verb and resource (any outcome). */
async function calls(rt: ClusterRuntime, verb: string, resource: string): Promise<number> {
  const values = (await rt.metrics!.calls.get()).values;
  return values.filter((v) => v.labels.verb === verb && v.labels.resource === resource).reduce((n, v) => n + v.value, 0);
}

const ok = { kubernetes: 'ok', informers: 'synced' };

describe('ClusterRuntime health', () => {
  it('reports syncing until every informer has listed, then ok and synced', async () => {
    const { rt } = runtime();
    expect(rt.health()).toEqual({ kubernetes: 'ok', informers: 'syncing' });
    expect(await rt.waitForSync(5_000)).toBe(true);
    expect(rt.health()).toEqual(ok);
    expect(rt.reachable()).toBe(true);
  });

  it('is unreachable, with the reason, after a call fails for an outage, and reachable again once the probe gets through', async () => {
    const { rt } = runtime();
    await rt.waitForSync(5_000);
    const outage = cluster.sim.faults.inject({ outage: true });
    await expect(rt.namespaceState('anything')).rejects.toMatchObject({ kind: 'unavailable' });
    expect(rt.reachable()).toBe(false);
    expect(rt.health().kubernetes).toMatch(/^unreachable: the Kubernetes API is unreachable \(/);
    // Nothing answers: it stays that way whatever the probe tries.
    await new Promise((r) => setTimeout(r, 700));
    expect(rt.reachable()).toBe(false);
    cluster.sim.faults.clear(outage);
    // Without a call on anybody's behalf: the probe notices.
    await until('reachable again', () => rt.reachable(), POLL);
    await until('synced again', () => rt.health().informers === 'synced', POLL);
    expect(rt.health()).toEqual(ok);
  });

  it('logs an outage once when it starts and once when it ends, however many calls fail', async () => {
    const lines: Obj[] = [];
    const { rt } = runtime({ lines });
    await rt.waitForSync(5_000);
    const outage = cluster.sim.faults.inject({ outage: true });
    for (let i = 0; i < 5; i++) await expect(rt.namespaceState('anything')).rejects.toMatchObject({ kind: 'unavailable' });
    const outageLines = () => lines.filter((l) => /Kubernetes API (unreachable|reachable again)/.test(l.msg));
    expect(outageLines().map((l) => [l.level, l.msg.split(';')[0]])).toEqual([[50, 'Kubernetes API unreachable']]);
    cluster.sim.faults.clear(outage);
    await until('reachable again', () => rt.reachable(), POLL);
    expect(outageLines().map((l) => l.msg.split(';')[0])).toEqual(['Kubernetes API unreachable', 'Kubernetes API reachable again']);
    expect(outageLines()[1]!.downForMs).toBeGreaterThanOrEqual(0);
  });

  it('counts a call that outlasts its timeout as unreachable, until the probe answers', async () => {
    const { rt } = runtime({ timeoutMs: 300 });
    await rt.waitForSync(5_000);
    cluster.sim.faults.inject({ verb: 'get', resource: 'namespaces', latencyMs: 1_000, times: 1 });
    await expect(rt.namespaceState('slow')).rejects.toMatchObject({ kind: 'timeout' });
    expect(rt.health().kubernetes).toBe('unreachable: the Kubernetes API did not answer in time');
    await until('the probe answered', () => rt.reachable(), POLL);
    expect(rt.health()).toEqual(ok);
  });

  it('stays reachable through answers that are refusals, not outages', async () => {
    const { rt } = runtime();
    await rt.waitForSync(5_000);
    cluster.sim.faults.inject({ verb: 'get', resource: 'namespaces', status: 403, times: 1 });
    await expect(rt.namespaceState('forbidden')).rejects.toMatchObject({ kind: 'forbidden' });
    expect(await rt.namespaceState(`absent-${randomUUID().slice(0, 6)}`)).toEqual({ exists: false });
    cluster.sim.faults.inject({ verb: 'get', resource: 'namespaces', status: 409, times: 1 });
    await expect(rt.namespaceState('conflict')).rejects.toMatchObject({ kind: 'conflict' });
    expect(rt.reachable()).toBe(true);
    expect(rt.health()).toEqual(ok);
  });

  it('a success after a failure counts as reachable at once', async () => {
    const { rt } = runtime();
    await rt.waitForSync(5_000);
    cluster.sim.faults.inject({ verb: 'get', resource: 'namespaces', status: 503, times: 1 });
    await expect(rt.namespaceState('x')).rejects.toMatchObject({ kind: 'unavailable', status: 503 });
    expect(rt.reachable()).toBe(false);
    expect(await rt.namespaceState('default')).toMatchObject({ exists: true });
    expect(rt.reachable()).toBe(true);
  });

  it('is unreachable from the start when the API server is away, and recovers by itself', async () => {
    const outage = cluster.sim.faults.inject({ outage: true });
    const { rt } = runtime();
    await until('the first probe failed', () => rt.health().kubernetes.startsWith('unreachable: '), POLL);
    expect(rt.reachable()).toBe(false);
    expect(rt.health().informers).toBe('syncing');
    expect(await calls(rt, 'get', 'discovery')).toBe(0);
    cluster.sim.faults.clear(outage);
    await until('healthy', () => rt.reachable() && rt.health().informers === 'synced', POLL);
    expect(rt.health()).toEqual(ok);
    // The probe that got through also detected the power mode.
    await until('discovery asked', async () => (await calls(rt, 'get', 'discovery')) === 1, POLL);
    expect(await rt.powerMode()).toBe('subresources');
    expect(await calls(rt, 'get', 'discovery')).toBe(1);
  });
});

describe('ClusterRuntime informers', () => {
  it('restart after an outage and deliver what changed', async () => {
    const { rt, namespaceEvents } = runtime();
    await rt.waitForSync(5_000);
    const outage = cluster.sim.faults.inject({ outage: true });
    await until('the informers noticed', () => rt.health().informers === 'syncing', POLL);
    cluster.sim.faults.clear(outage);
    await until('synced again', () => rt.health().informers === 'synced', POLL);
    const restarts = (await rt.metrics!.informerRestarts.get()).values;
    expect(restarts.map((v) => v.labels.informer)).toEqual(expect.arrayContaining(['namespaces', 'templateinstances', 'virtualmachines']));
    const name = `rt-after-${randomUUID().slice(0, 6)}`;
    await api.core.createNamespace({ body: { metadata: { name, labels: OURS } } });
    await until('the namespace in the cache', () => rt.namespaceCached(name), POLL);
    expect(namespaceEvents).toContain(`add ${name}`);
    // Templates came back too (the catalog reads them from the informer).
    expect(rt.rawTemplate('openshift', 'fedora-server-small')).toBeDefined();
  });
});

describe('ClusterRuntime power mode', () => {
  it('is detected once from discovery (subresources) and kept', async () => {
    const { rt } = runtime();
    await rt.waitForSync(5_000);
    expect(await rt.powerMode()).toBe('subresources');
    expect(await rt.powerMode()).toBe('subresources');
    await until('the probe finished', async () => (await calls(rt, 'get', 'version')) >= 1, POLL);
    expect(await calls(rt, 'get', 'discovery')).toBe(1);
  });

  it('falls back to runStrategy on a cluster without the subresource API, and is retried until discovery answers', async () => {
    const bare = await startSimulator({ tls: true, subresources: false });
    try {
      const k = new KubeApi(bare.kubeConfig(), { timeoutMs: 3_000 });
      await k.core.createNamespace({ body: { metadata: { name: 'bare' } } });
      await k.custom.createNamespacedCustomObject({
        group: 'kubevirt.io', version: 'v1', namespace: 'bare', plural: 'virtualmachines',
        body: { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name: 'vm' }, spec: { runStrategy: 'Halted', template: { spec: {} } } },
      });
      // Discovery (and the probe's /version) fail at first.
      const down = bare.faults.inject({ verb: 'get', status: 503 });
      const { rt } = runtime({ sim: bare });
      await until('the probe failed', () => !rt.reachable(), POLL);
      await expect(rt.powerMode()).rejects.toMatchObject({ kind: 'unavailable' });
      bare.faults.clear(down);
      expect(await rt.powerMode()).toBe('runStrategy');

      const db = openDb(':memory:');
      const org = seedOrg(db, 'o');
      const vdc = seedVdc(db, org.id, 'd', { namespace: 'bare' });
      const vm = findVm(db, seedVm(db, seedVapp(db, vdc, 'owner', 'a'), 'bare', 'vm', { status: 'POWERED_OFF' }).id)!;
      await rt.power(vm, 'powerOn');
      const after = await k.custom.getNamespacedCustomObject({ group: 'kubevirt.io', version: 'v1', namespace: 'bare', plural: 'virtualmachines', name: 'vm' }) as Obj;
      expect(after.spec.runStrategy).toBe('Always');
      await expect(rt.power({ ...vm, status: 'POWERED_ON' }, 'suspend')).rejects.toThrow(/subresource API/);
      const discovery = await calls(rt, 'get', 'discovery');
      await rt.power({ ...vm, status: 'POWERED_ON' }, 'powerOff');
      expect(await calls(rt, 'get', 'discovery')).toBe(discovery);
    } finally {
      await Promise.all(runtimes.splice(0).map((r) => r.stop()));
      await bare.stop();
    }
  });
});

describe('ClusterRuntime stop', () => {
  it('stops the informers, the probe and the reconciler (whose findings health() reported)', async () => {
    const t = await cluster.app({ env: { SSVIRT_RECONCILE_INTERVAL_SECONDS: '1' } });
    const rt = t.runtime;
    const passes = async () => (await rt.metrics!.reconcileRuns.get()).values.reduce((n, v) => n + v.value, 0);
    const stray = `rt-stray-${randomUUID().slice(0, 6)}`;
    await api.core.createNamespace({ body: { metadata: { name: stray, labels: OURS } } });
    await until('the stray namespace reported', () => rt.health().unclaimedNamespaces?.includes(stray), POLL);
    expect(rt.health()).toMatchObject(ok);
    // A failed call schedules a probe half a second later; stop() must cancel it.
    cluster.sim.faults.inject({ verb: 'get', resource: 'namespaces', status: 503, times: 1 });
    await expect(rt.namespaceState('x')).rejects.toMatchObject({ kind: 'unavailable' });
    const probes = await calls(rt, 'get', 'version');

    await rt.stop();
    const stoppedAt = await passes();
    expect(rt.health().informers).toBe('syncing');
    const name = `rt-stopped-${randomUUID().slice(0, 6)}`;
    await api.core.createNamespace({ body: { metadata: { name, labels: OURS } } });
    await rt.reconciler!.trigger();
    await new Promise((r) => setTimeout(r, 1_300));
    expect(await passes()).toBe(stoppedAt);
    expect(await calls(rt, 'get', 'version')).toBe(probes);
    expect(rt.namespaceCached(name)).toBe(false);
  });
});
