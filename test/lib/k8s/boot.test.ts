/**
 * startRuntime (boot.ts) against the simulator: what it adds to a bare ClusterRuntime (see
 * runtime.test.ts) — the bounded wait for the first sync (serving anyway after it), the
 * reconciler bound and started, namespace deletions and settled vApps wired to the reconciler and
 * to the end of vApp deletions, and the tasks a previous process left running.
 */
import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { Registry } from 'prom-client';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { openDb, type Db } from '#db/client.ts';
import { loadConfig } from '#lib/config.ts';
import { createLog } from '#lib/log.ts';
import { startRuntime } from '#lib/k8s/boot.ts';
import type { ClusterRuntime } from '#lib/k8s/runtime.ts';
import { KubeApi } from '#lib/k8s/api.ts';
import { taskTracker, DELETE_OPERATION, powerOperation } from '#lib/power/tracker.ts';
import { findVapp, updateVapp } from '#db/queries/vapps.ts';
import { findVdc, updateVdc as updateVdcRow } from '#db/queries/vdcs.ts';
import { findOrg } from '#db/queries/orgs.ts';
import { findTask } from '#db/queries/tasks.ts';
import { seedOrg, seedTask, seedVapp, seedVdc, seedVm } from '#test/support/fixtures.ts';
import { clusterPerFile, type TestCluster } from '#test/support/cluster.ts';
import { until } from '#test/support/wait.ts';

const POLL = { timeoutMs: 8_000, intervalMs: 10 };
const OURS = { 'app.kubernetes.io/managed-by': 'ssvirt', 'app.kubernetes.io/component': 'vdc' };
const TASK_TIMEOUT_S = 600;

let cluster: TestCluster;
let api: KubeApi;
const runtimes = clusterPerFile((c, a) => { cluster = c; api = a; });

/** startRuntime on `db` (default reconcile interval: a minute, so only events explain a prompt pass). */
async function boot(db: Db) {
  const logs: { msg: string; level: number }[] = [];
  const sink = new Writable({ write(chunk, _e, cb) { for (const l of String(chunk).split('\n')) if (l) logs.push(JSON.parse(l)); cb(); } });
  const config = loadConfig({ SSVIRT_DB_PATH: ':memory:', SSVIRT_TASK_TIMEOUT_SECONDS: String(TASK_TIMEOUT_S) });
  const rt = await startRuntime({ kc: cluster.sim.kubeConfig(), config, db, log: createLog('info', sink), registry: new Registry(), timeoutMs: 3_000 });
  runtimes.push(rt);
  const passes = async () => (await rt.metrics!.reconcileRuns.get()).values.reduce((n, v) => n + v.value, 0);
  return { rt, logs, passes, config };
}

function seeded() {
  const db = openDb(':memory:');
  const org = seedOrg(db, 'acme');
  const vdc = seedVdc(db, org.id, 'dev', { namespace: `boot-${randomUUID().slice(0, 8)}` });
  return { db, org, vdc };
}

describe('startRuntime', () => {
  it('returns a synced runtime whose reconciler is bound and has run', async () => {
    const { db } = seeded();
    const { rt, passes, logs } = await boot(db);
    expect(rt.health()).toEqual({ kubernetes: 'ok', informers: 'synced' });
    expect(rt.reconciler).toBeDefined();
    await until('the first pass', async () => (await passes()) >= 1, POLL);
    expect(logs.filter((l) => l.level >= 40)).toEqual([]);
  });

  it('serves after a bounded wait when the informers cannot sync, and catches up by itself', async () => {
    const { db } = seeded();
    const outage = cluster.sim.faults.inject({ outage: true });
    const started = Date.now();
    const { rt, logs } = await boot(db);
    expect(Date.now() - started).toBeLessThan(7_000);
    expect(logs.map((l) => l.msg)).toContain('informers not synced yet; serving from the database meanwhile');
    expect(rt.health().informers).toBe('syncing');
    cluster.sim.faults.clear(outage);
    await until('healthy', () => rt.reachable() && rt.health().informers === 'synced', POLL);
  });

  it('asks the reconciler for a pass when a VDC namespace is deleted', async () => {
    const { db } = seeded();
    const { rt, passes } = await boot(db);
    const name = `boot-stray-${randomUUID().slice(0, 6)}`;
    await api.core.createNamespace({ body: { metadata: { name, labels: OURS } } });
    await until('the namespace in the cache', () => rt.namespaceCached(name), POLL);
    await rt.reconciler!.trigger();
    expect(rt.health().unclaimedNamespaces).toContain(name);
    const before = await passes();
    await api.core.deleteNamespace({ name });
    await until('a pass after the deletion', async () => (await passes()) > before, POLL);
    expect(rt.health().unclaimedNamespaces ?? []).not.toContain(name);
  });

  it('does not report a VDC created during a pass, nor a terminating namespace, as unclaimed', async () => {
    const { db, org } = seeded();
    const { rt, logs } = await boot(db);
    // A VDC's namespace that is going (its row already deleted), kept Terminating by content with a finalizer.
    const going = `boot-going-${randomUUID().slice(0, 6)}`;
    await api.core.createNamespace({ body: { metadata: { name: going, labels: OURS } } });
    await api.core.createNamespacedSecret({ namespace: going, body: { metadata: { name: 'held', finalizers: ['ssvirt.test/hold'] } } });
    await api.core.deleteNamespace({ name: going });
    await until('the terminating namespace in the cache', () => rt.namespaces.get(going)?.metadata?.deletionTimestamp !== undefined, POLL);
    // A VDC whose namespace the next pass creates; its quota (an apply patch) is held so the pass is in flight.
    const vdc2 = seedVdc(db, org.id, 'second', { namespace: `boot-b-${randomUUID().slice(0, 8)}` });
    const hold = cluster.sim.faults.inject({ verb: 'patch', resource: 'resourcequotas', namespace: vdc2.namespace, latencyMs: 1_500, times: 1 });
    const pass = rt.reconciler!.trigger();
    await until('the pass is creating the second VDC', () => rt.namespaceCached(vdc2.namespace), POLL);
    // Meanwhile a third VDC is created as the API does it: row first, then its namespace.
    const vdc3 = seedVdc(db, org.id, 'third', { namespace: `boot-c-${randomUUID().slice(0, 8)}` });
    await api.core.createNamespace({ body: { metadata: { name: vdc3.namespace, labels: { ...OURS, 'ssvirt.io/vdc-id': vdc3.id } } } });
    await until('the third namespace in the cache', () => rt.namespaceCached(vdc3.namespace), POLL);
    await pass; // this pass and the ones the namespace events asked for
    cluster.sim.faults.clear(hold);
    // Never reported, not even by the pass that read its rows before the third VDC existed.
    const reported = logs.filter((l) => /no VDC row claims/.test(l.msg)).flatMap((l) => (l as { namespaces?: string[] }).namespaces ?? []);
    expect(reported).not.toContain(vdc3.namespace);
    expect(reported).not.toContain(going);
    expect(rt.health().unclaimedNamespaces ?? []).not.toContain(going);
    await api.core.patchNamespacedSecret({ namespace: going, name: 'held', body: { metadata: { finalizers: null } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
  });

  it('does not rewrite a quota the API server stored in canonical form (10240Mi as 10Gi)', async () => {
    const { db, org, vdc } = seeded();
    updateVdcRow(db, vdc.id, { memoryLimit: 10_240, memoryUnits: 'MB' });
    const { rt } = await boot(db);
    await rt.applyVdc(findVdc(db, vdc.id)!, findOrg(db, org.id)!);
    // What a real kube-apiserver returns for requests.memory "10240Mi".
    await api.core.patchNamespacedResourceQuota({ name: 'vdc-quota', namespace: vdc.namespace, body: { spec: { hard: { 'requests.memory': '10Gi' } } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    await until('the canonical quota in the cache', () => rt.quotas.get('vdc-quota', vdc.namespace)?.spec?.hard?.['requests.memory'] === '10Gi', POLL);
    const repairs = async () => ((await rt.metrics!.reconcileRepairs.get()).values.find((v) => v.labels.kind === 'vdc-quota')?.value ?? 0);
    const before = await repairs();
    await rt.reconciler!.trigger();
    expect(await repairs()).toBe(before);
    expect((await api.core.readNamespacedResourceQuota({ name: 'vdc-quota', namespace: vdc.namespace })).spec?.hard?.['requests.memory']).toBe('10Gi');
  });

  it('finishes a DELETING vApp once its objects are gone, without waiting for the reconciler interval', async () => {
    const { db, org, vdc } = seeded();
    const { rt } = await boot(db);
    await rt.applyVdc(findVdc(db, vdc.id)!, findOrg(db, org.id)!);
    const vapp = seedVapp(db, vdc, randomUUID(), 'doomed', { status: 'CREATING', templateName: 'fedora-server-small' });
    const uid = await rt.instantiate({
      namespace: vdc.namespace, instanceName: vapp.instanceName, vappId: vapp.id, vappName: vapp.name, vdcId: vdc.id,
      templateNamespace: 'openshift', templateName: 'fedora-server-small', template: rt.rawTemplate('openshift', 'fedora-server-small')!,
      parameters: { NAME: 'doomed', CLOUD_USER_PASSWORD: 'pw' },
    });
    updateVapp(db, vapp.id, { status: 'INSTANTIATING', instanceUid: uid });
    rt.refreshVapp(vapp.id);
    await until('the vApp POWERED_OFF', () => findVapp(db, vapp.id)?.status === 'POWERED_OFF', POLL);

    const task = seedTask(db, { orgId: org.id, userId: randomUUID(), ownerId: vapp.id, operationName: DELETE_OPERATION, startTime: Date.now() });
    updateVapp(db, vapp.id, { status: 'DELETING', updatedAt: Date.now() });
    await rt.deleteVappObjects(vdc.namespace, vapp.instanceName, uid);
    await until('the row gone', () => !findVapp(db, vapp.id), POLL);
    expect(await rt.vappObjectsRemain(vdc.namespace, vapp.instanceName, uid)).toBe(false);
    expect(findTask(db, task.id)).toMatchObject({ status: 'success' });
  });

  it('ends the tasks a previous process left running past their timeout and watches the others again', async () => {
    const { db, org, vdc } = seeded();
    const vapp = seedVapp(db, vdc, randomUUID(), 'kept', { status: 'POWERED_ON' });
    const vm = seedVm(db, vapp, vdc.namespace, 'kept-1', { status: 'POWERED_ON' });
    const user = randomUUID();
    const overdue = seedTask(db, { orgId: org.id, userId: user, ownerId: vapp.id, operationName: DELETE_OPERATION, startTime: Date.now() - (TASK_TIMEOUT_S + 1) * 1000 });
    const reached = seedTask(db, { orgId: org.id, userId: user, ownerId: vm.id, operationName: powerOperation('vm', 'powerOn'), startTime: Date.now() });
    const waiting = seedTask(db, { orgId: org.id, userId: user, ownerId: vapp.id, operationName: DELETE_OPERATION, startTime: Date.now() });
    const { rt, config } = await boot(db);
    expect(findTask(db, overdue.id)).toMatchObject({ status: 'error', errorMessage: 'The server restarted and the operation did not complete in time' });
    // Re-armed from the rows as they are: the VM is already on; the vApp is still there.
    await until('the power task ended', () => findTask(db, reached.id)?.status === 'success', POLL);
    expect(findTask(db, waiting.id)).toMatchObject({ status: 'running' });
    expect(taskTracker(rt, { db, log: createLog('warn'), taskTimeoutSeconds: config.taskTimeoutSeconds }).size).toBe(1);
  });
});
