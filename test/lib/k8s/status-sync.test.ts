/**
 * The status sync (docs/kubernetes.md "vApp status", "VMs"): TemplateInstance, VirtualMachine and
 * VirtualMachineInstance events against the simulator (with its OpenShift/KubeVirt controllers)
 * become VM rows and vApp statuses in an in-memory database. Each test gets its own database,
 * VDC namespace and ClusterRuntime without a reconciler, so only the sync writes rows.
 */
import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { Registry } from 'prom-client';
import { openDb, type Db } from '#db/client.ts';
import { loadConfig } from '#lib/config.ts';
import { createLog } from '#lib/log.ts';
import { ClusterRuntime } from '#lib/k8s/runtime.ts';
import { KubeApi } from '#lib/k8s/api.ts';
import { StatusSync, type Caches } from '#lib/k8s/status-sync.ts';
import { findVapp, updateVapp, type VappRow } from '#db/queries/vapps.ts';
import { findVmByUid, vmsOfVapp, type VmRow } from '#db/queries/vms.ts';
import { vms } from '#db/schema.ts';
import { seedOrg, seedVapp, seedVdc, seedVm } from '#test/support/fixtures.ts';
import { clusterPerFile, type TestCluster } from '#test/support/cluster.ts';
import { until } from '#test/support/wait.ts';

type Obj = Record<string, any>;
const OWNER = 'template.openshift.io/template-instance-owner';
const OUT_OF_BAND = 'The TemplateInstance of this vApp was deleted outside SSVirt';
const POLL = { timeoutMs: 8_000, intervalMs: 10 };

let cluster: TestCluster;
let api: KubeApi;
let counter = 0;
const runtimes = clusterPerFile((c, a) => { cluster = c; api = a; });

const quiet = createLog('warn', { write: () => undefined });

/** How many times the runtime listed VirtualMachines (its first list, then re-lists). */
async function vmLists(rt: ClusterRuntime): Promise<number> {
  const values = (await rt.metrics!.calls.get()).values;
  return values.filter((v) => v.labels.verb === 'list' && v.labels.resource === 'virtualmachines').reduce((n, v) => n + v.value, 0);
}

/** A runtime on `db` whose onVappSettled calls are recorded. */
async function runtime(db: Db, settled: string[] = []): Promise<ClusterRuntime> {
  const rt = new ClusterRuntime({
    kc: cluster.sim.kubeConfig(), config: loadConfig({ SSVIRT_DB_PATH: ':memory:' }), db, log: quiet, timeoutMs: 3_000, registry: new Registry(),
    onVappSettled: (v) => settled.push(v.id),
  });
  runtimes.push(rt);
  expect(await rt.waitForSync(5_000)).toBe(true);
  return rt;
}

/** A fresh database with an org and a READY VDC whose namespace exists, and a runtime on it. */
async function world() {
  const db = openDb(':memory:');
  const n = ++counter;
  const org = seedOrg(db, `org-${n}`);
  const vdc = seedVdc(db, org.id, 'dev', { namespace: `sync-${n}-${randomUUID().slice(0, 6)}` });
  await api.core.createNamespace({ body: { metadata: { name: vdc.namespace } } });
  const settled: string[] = [];
  const w = { db, org, vdc, settled, rt: await runtime(db, settled) };
  return w;
}
type World = Awaited<ReturnType<typeof world>>;

/**
 * A vApp as lib/vapps/instantiate.ts makes one: the row in CREATING, the instance created
 * through the runtime, then INSTANTIATING with the uid and a refresh (unless `keepCreating`).
 */
async function instantiate(w: World, name: string, o: { params?: Record<string, string>; keepCreating?: boolean } = {}) {
  const vapp = seedVapp(w.db, w.vdc, randomUUID(), name, { status: 'CREATING', templateName: 'fedora-server-small' });
  const uid = await w.rt.instantiate(spec(w, vapp, o.params));
  if (!o.keepCreating) {
    updateVapp(w.db, vapp.id, { status: 'INSTANTIATING', instanceUid: uid });
    w.rt.refreshVapp(vapp.id);
  }
  return { vapp, uid, vmName: o.params?.NAME ?? name };
}

function spec(w: World, vapp: Pick<VappRow, 'id' | 'name' | 'instanceName'>, params: Record<string, string> = {}) {
  return {
    namespace: w.vdc.namespace, instanceName: vapp.instanceName, vappId: vapp.id, vappName: vapp.name, vdcId: w.vdc.id,
    templateNamespace: 'openshift', templateName: 'fedora-server-small', template: w.rt.rawTemplate('openshift', 'fedora-server-small')!,
    parameters: { NAME: vapp.name, CLOUD_USER_PASSWORD: 'pw', ...params },
  };
}

const vappOf = (w: World, id: string) => findVapp(w.db, id)!;
const waitVapp = (w: World, id: string, status: string) =>
  until(`vApp ${status}`, () => { const v = findVapp(w.db, id); return v?.status === status ? v : undefined; }, POLL);
const waitVm = (w: World, vappId: string, what: string, ok: (vm: VmRow) => boolean) =>
  until(what, () => { const r = vmsOfVapp(w.db, vappId); return r.length === 1 && ok(r[0]!) ? r[0]! : undefined; }, POLL);

const vmPath = (ns: string) => ({ group: 'kubevirt.io', version: 'v1', namespace: ns, plural: 'virtualmachines' });
const tiPath = (ns: string) => ({ group: 'template.openshift.io', version: 'v1', namespace: ns, plural: 'templateinstances' });
const readVm = (ns: string, name: string) => api.custom.getNamespacedCustomObject({ ...vmPath(ns), name }) as Promise<Obj>;
const readVmi = (ns: string, name: string) =>
  api.custom.getNamespacedCustomObject({ group: 'kubevirt.io', version: 'v1', namespace: ns, plural: 'virtualmachineinstances', name }) as Promise<Obj>;
const patchVm = (ns: string, name: string, body: Obj) =>
  api.call('patch', 'virtualmachines', (opt) => api.custom.patchNamespacedCustomObject({ ...vmPath(ns), name, body }, opt), { contentType: 'application/merge-patch+json' });

/** A VirtualMachine written by hand (not through a template), with the given labels. */
async function handVm(ns: string, name: string, labels: Record<string, string>, runStrategy = 'Halted'): Promise<Obj> {
  return await api.custom.createNamespacedCustomObject({
    ...vmPath(ns),
    body: { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name, labels }, spec: { runStrategy, template: { spec: { domain: { cpu: { cores: 2 }, memory: { guest: '1Gi' } } } } } },
  }) as Obj;
}

describe('StatusSync against the simulator', () => {
  it('creates the VM row on first sight from the VM spec, and the vApp settles POWERED_OFF', async () => {
    const w = await world();
    const { vapp, uid } = await instantiate(w, 'web');
    const settledVapp = await waitVapp(w, vapp.id, 'POWERED_OFF');
    expect(settledVapp).toMatchObject({ statusMessage: null, instanceUid: uid });
    const vm = await readVm(w.vdc.namespace, 'web');
    expect(vm.metadata.labels[OWNER]).toBe(uid);
    const rows = vmsOfVapp(w.db, vapp.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      vappId: vapp.id, vdcId: w.vdc.id, orgId: w.org.id, namespace: w.vdc.namespace, name: 'web', uid: vm.metadata.uid,
      status: 'POWERED_OFF', statusMessage: null, printableStatus: 'Stopped',
      // The template's VM: 1 socket × 1 core × 1 thread, memory.guest 2Gi, vm.kubevirt.io/os fedora40.
      numCpus: 1, coresPerSocket: 1, memoryMb: 2048, guestOs: 'fedora40', interfaces: [],
    });
    expect(rows[0]!.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('keeps the vApp INSTANTIATING, saying why, while its VM waits for a boot source that does not exist', async () => {
    const w = await world();
    const { vapp } = await instantiate(w, 'nosrc', { params: { DATA_SOURCE_NAME: 'no-such-os' } });
    const row = await waitVm(w, vapp.id, 'the VM row naming the boot source', (r) => r.statusMessage?.includes('no-such-os') === true);
    expect(row).toMatchObject({ status: 'POWERING_ON', printableStatus: 'Provisioning' });
    const v = await until('the vApp says why', () => { const x = findVapp(w.db, vapp.id); return x?.statusMessage?.includes('no-such-os') ? x : undefined; }, POLL);
    expect(v.status).toBe('INSTANTIATING');
    expect(v.statusMessage).toMatch(/^Preparing disks: .*no-such-os.*does not exist/);
  });

  it('does not rewrite a VM row when an event reports nothing new (re-lists, resyncs), but does when something changed', async () => {
    const w = await world();
    const { vapp } = await instantiate(w, 'quiet');
    await waitVapp(w, vapp.id, 'POWERED_OFF');
    const vm = await readVm(w.vdc.namespace, 'quiet');
    await until('the VM row', () => vmsOfVapp(w.db, vapp.id)[0]?.printableStatus === 'Stopped', POLL);
    const before = vmsOfVapp(w.db, vapp.id)[0]!;
    const changes = () => (w.db.$client.prepare('SELECT total_changes() AS n').get() as { n: number }).n;
    const n0 = changes();
    w.rt.sync.vmEvent('update', vm);
    w.rt.sync.vmEvent('update', vm);
    expect(changes()).toBe(n0);
    expect(vmsOfVapp(w.db, vapp.id)[0]).toEqual(before);
    w.rt.sync.vmEvent('update', { ...vm, status: { ...vm.status, printableStatus: 'ErrorUnschedulable' } });
    expect(changes()).toBeGreaterThan(n0);
    expect(vmsOfVapp(w.db, vapp.id)[0]).toMatchObject({ id: before.id, printableStatus: 'ErrorUnschedulable' });
  });

  it('follows power on and off in the same row: states in order, hardware, guest OS and addresses from the running VMI', async () => {
    const w = await world();
    const { vapp } = await instantiate(w, 'app');
    await waitVapp(w, vapp.id, 'POWERED_OFF');
    const before = vmsOfVapp(w.db, vapp.id)[0]!;
    // Every status the row takes, repeats folded (the start request itself is an update too).
    const seen: string[] = [before.status];
    const off = w.rt.onVmChange((r) => { if (seen.at(-1) !== r.status) seen.push(r.status); });

    await w.rt.power(before, 'powerOn');
    const on = await waitVm(w, vapp.id, 'the VM running with an address', (r) => r.status === 'POWERED_ON' && r.interfaces.length > 0);
    const vmi = await readVmi(w.vdc.namespace, 'app');
    const nic = vmi.status.interfaces[0];
    expect(nic.ipAddress).toMatch(/^10\.128\./);
    expect(on).toMatchObject({
      id: before.id, createdAt: before.createdAt, printableStatus: 'Running', statusMessage: null,
      numCpus: 1, coresPerSocket: 1, memoryMb: 2048,
      guestOs: vmi.status.guestOSInfo.prettyName,
      interfaces: [{ name: 'default', ipAddress: nic.ipAddress, macAddress: nic.mac }],
    });
    expect(on.guestOs).toMatch(/^Fedora Linux 40/);
    expect(seen).toEqual(['POWERED_OFF', 'POWERING_ON', 'POWERED_ON']);
    expect((await waitVapp(w, vapp.id, 'POWERED_ON')).statusMessage).toBeNull();

    await w.rt.power(on, 'powerOff');
    const stopped = await waitVm(w, vapp.id, 'the VM stopped without its VMI', (r) => r.status === 'POWERED_OFF' && r.interfaces.length === 0);
    expect(stopped).toMatchObject({ id: before.id, createdAt: before.createdAt, guestOs: 'fedora40', printableStatus: 'Stopped' });
    await waitVapp(w, vapp.id, 'POWERED_OFF');
    off();
    expect(w.db.select().from(vms).all()).toHaveLength(1);
  });

  it('keeps the reason of a failed VM and clears it when the VM recovers', async () => {
    const w = await world();
    const { vapp } = await instantiate(w, 'flaky');
    await waitVapp(w, vapp.id, 'POWERED_OFF');
    await patchVm(w.vdc.namespace, 'flaky', { metadata: { annotations: { 'sim.ssvirt.io/fail': 'DataVolumeError' } } });
    const failed = await waitVm(w, vapp.id, 'the VM FAILED', (r) => r.status === 'FAILED');
    expect(failed).toMatchObject({ statusMessage: 'DataVolumeError', printableStatus: 'DataVolumeError' });
    expect(await waitVapp(w, vapp.id, 'FAILED')).toMatchObject({ statusMessage: 'every VM failed' });

    await patchVm(w.vdc.namespace, 'flaky', { metadata: { annotations: { 'sim.ssvirt.io/fail': null } } });
    expect(await waitVm(w, vapp.id, 'the VM recovered', (r) => r.status === 'POWERED_OFF')).toMatchObject({ id: failed.id, statusMessage: null });
    expect((await waitVapp(w, vapp.id, 'POWERED_OFF')).statusMessage).toBeNull();
  });

  it('keeps the row (same id) across a restart and a re-list, applying what changed while it was down', async () => {
    const w = await world();
    const { vapp } = await instantiate(w, 'keep');
    await waitVapp(w, vapp.id, 'POWERED_OFF');
    const first = vmsOfVapp(w.db, vapp.id)[0]!;

    // Down: the VM starts meanwhile.
    await w.rt.stop();
    await patchVm(w.vdc.namespace, 'keep', { spec: { runStrategy: 'Always' } });
    await until('the VMI running', async () => (await readVm(w.vdc.namespace, 'keep')).status?.printableStatus === 'Running', POLL);
    expect(vmsOfVapp(w.db, vapp.id)[0]!.status).toBe('POWERED_OFF');

    // A new process on the same database: the uid index comes from the rows.
    const rt = await runtime(w.db);
    const after = await waitVm(w, vapp.id, 'the VM seen running', (r) => r.status === 'POWERED_ON' && r.interfaces.length > 0);
    expect(after).toMatchObject({ id: first.id, uid: first.uid, createdAt: first.createdAt });
    expect(await waitVapp(w, vapp.id, 'POWERED_ON')).toBeDefined();

    // The VM watches are told their resourceVersion is too old: the informer lists anew.
    const lists = await vmLists(rt);
    const gone = cluster.sim.faults.inject({ verb: 'watch', resource: 'virtualmachines', dropWatch: 'gone' });
    await until('a re-list of the VMs', async () => (await vmLists(rt)) > lists, POLL);
    cluster.sim.faults.clear(gone);
    expect(await rt.waitForSync(5_000)).toBe(true);
    expect(vmsOfVapp(w.db, vapp.id)).toMatchObject([{ id: first.id, status: 'POWERED_ON' }]);
    await rt.power(after, 'powerOff');
    const relisted = await waitVm(w, vapp.id, 'the VM stopped after the re-list', (r) => r.status === 'POWERED_OFF');
    expect(relisted.id).toBe(first.id);
    expect(w.db.select().from(vms).all()).toHaveLength(1);
  });

  it('deletes the row of a deleted VM and recomputes the vApp from the VMs left', async () => {
    const w = await world();
    const { vapp, uid } = await instantiate(w, 'pair');
    await waitVapp(w, vapp.id, 'POWERED_OFF');
    // A second VM of the same instance (as a template with two VMs would make), running.
    const extra = await handVm(w.vdc.namespace, 'pair-2', { [OWNER]: uid }, 'Always');
    await until('two rows, one running', () => vmsOfVapp(w.db, vapp.id).map((r) => r.status).join() === 'POWERED_OFF,POWERED_ON', POLL);
    expect(findVmByUid(w.db, extra.metadata.uid)).toMatchObject({ name: 'pair-2', numCpus: 2, coresPerSocket: 2 });
    await waitVapp(w, vapp.id, 'MIXED');
    w.settled.length = 0;

    await api.custom.deleteNamespacedCustomObject({ ...vmPath(w.vdc.namespace), name: 'pair-2' });
    await until('the row gone', () => !findVmByUid(w.db, extra.metadata.uid), POLL);
    expect(vmsOfVapp(w.db, vapp.id).map((r) => r.name)).toEqual(['pair']);
    await waitVapp(w, vapp.id, 'POWERED_OFF');
    expect(w.settled).toContain(vapp.id);
  });

  it('never adopts VMs of another namespace, of an unknown instance, or without the owner label; ignores instances that are not the vApp\'s', async () => {
    const w = await world();
    const { vapp, uid } = await instantiate(w, 'mine');
    await waitVapp(w, vapp.id, 'POWERED_OFF');
    const elsewhere = `elsewhere-${counter}`;
    await api.core.createNamespace({ body: { metadata: { name: elsewhere } } });
    const labels = { 'app.kubernetes.io/managed-by': 'ssvirt', 'ssvirt.io/vapp-id': vapp.id };
    // Instances carrying this vApp's id in the wrong namespace, or under another name: they fail
    // (no params Secret), which must not reach this vApp.
    const fake = (ns: string, name: string) => api.custom.createNamespacedCustomObject({
      ...tiPath(ns), body: { apiVersion: 'template.openshift.io/v1', kind: 'TemplateInstance', metadata: { name, labels }, spec: { template: spec(w, vapp).template, secret: { name: 'absent' } } },
    }) as Promise<Obj>;
    const wrongNs = await fake(elsewhere, vapp.instanceName);
    const wrongName = await fake(w.vdc.namespace, 'not-mine');
    const failed = (ns: string, name: string) => () =>
      w.rt.instances.get(name, ns)?.status?.conditions?.some((c: Obj) => c.type === 'InstantiateFailure');
    await until('both fakes failed (in the cache)', () => failed(elsewhere, vapp.instanceName)() && failed(w.vdc.namespace, 'not-mine')(), POLL);

    await handVm(elsewhere, 'foreign', { [OWNER]: uid });
    await handVm(w.vdc.namespace, 'stranger', { [OWNER]: randomUUID() });
    await handVm(w.vdc.namespace, 'wrong-ns-owner', { [OWNER]: wrongNs.metadata.uid });
    await handVm(w.vdc.namespace, 'wrong-name-owner', { [OWNER]: wrongName.metadata.uid });
    await handVm(w.vdc.namespace, 'plain', {});
    // Once the informer has them (and their status), the sync has been told about them.
    for (const [ns, name] of [[elsewhere, 'foreign'], [w.vdc.namespace, 'stranger'], [w.vdc.namespace, 'wrong-ns-owner'], [w.vdc.namespace, 'wrong-name-owner']] as const) {
      await until(`${name} stopped in the cache`, () => w.rt.vms.get(name, ns)?.status?.printableStatus === 'Stopped', POLL);
    }
    // A VM of the vApp created after them is adopted: the events before it were handled.
    await handVm(w.vdc.namespace, 'late', { [OWNER]: uid });
    await until('the late VM adopted', () => vmsOfVapp(w.db, vapp.id).length === 2, POLL);

    expect(w.db.select().from(vms).all().map((r) => r.name).sort()).toEqual(['late', 'mine']);
    expect(vappOf(w, vapp.id)).toMatchObject({ status: 'POWERED_OFF', statusMessage: null, instanceUid: uid });
  });

  it('marks the vApp FAILED with the message of InstantiateFailure', async () => {
    const w = await world();
    // An invalid VM name: the template controller cannot create the VM.
    const { vapp, uid } = await instantiate(w, 'broken', { params: { NAME: 'Bad_Name' } });
    const v = await waitVapp(w, vapp.id, 'FAILED');
    const ti = await api.custom.getNamespacedCustomObject({ ...tiPath(w.vdc.namespace), name: vapp.instanceName }) as Obj;
    const cond = ti.status.conditions.find((c: Obj) => c.type === 'InstantiateFailure');
    expect(cond).toMatchObject({ status: 'True', reason: 'Failed' });
    expect(cond.message).toContain('Name=Bad_Name');
    expect(v).toMatchObject({ statusMessage: cond.message, instanceUid: uid });
    expect(vmsOfVapp(w.db, vapp.id)).toEqual([]);
  });

  it('marks the vApp FAILED when its instance is deleted outside SSVirt, and drops its VM rows', async () => {
    const w = await world();
    const { vapp } = await instantiate(w, 'gone');
    await waitVapp(w, vapp.id, 'POWERED_OFF');
    w.settled.length = 0;
    await api.custom.deleteNamespacedCustomObject({ ...tiPath(w.vdc.namespace), name: vapp.instanceName });
    await until('the instance gone from the cache', () => !w.rt.instances.get(vapp.instanceName, w.vdc.namespace), POLL);
    await until('the VM rows gone', () => vmsOfVapp(w.db, vapp.id).length === 0, POLL);
    expect(await waitVapp(w, vapp.id, 'FAILED')).toMatchObject({ statusMessage: OUT_OF_BAND });
    expect(w.settled).toContain(vapp.id);
  });

  it('leaves the status of a row in CREATING or DELETING alone while its VM rows follow the cluster', async () => {
    const w = await world();
    const { vapp, uid, vmName } = await instantiate(w, 'held', { keepCreating: true });
    await until('the instance Ready in the cache', () =>
      w.rt.instances.get(vapp.instanceName, w.vdc.namespace)?.status?.conditions?.some((c: Obj) => c.type === 'Ready'), POLL);
    const vm = await waitVm(w, vapp.id, 'the VM row', (r) => r.status === 'POWERED_OFF');
    expect(vm.name).toBe(vmName);
    // The instance event recorded the uid, without touching the status or updatedAt.
    expect(vappOf(w, vapp.id)).toMatchObject({ status: 'CREATING', statusMessage: null, instanceUid: uid, updatedAt: vapp.updatedAt });
    w.rt.refreshVapp(vapp.id);
    expect(vappOf(w, vapp.id).status).toBe('CREATING');

    updateVapp(w.db, vapp.id, { status: 'DELETING' });
    await w.rt.power(vm, 'powerOn');
    await waitVm(w, vapp.id, 'the VM running', (r) => r.status === 'POWERED_ON');
    expect(vappOf(w, vapp.id).status).toBe('DELETING');
    // Its instance goes: no FAILED for a row being deleted, but the deletion is told.
    w.settled.length = 0;
    await api.custom.deleteNamespacedCustomObject({ ...tiPath(w.vdc.namespace), name: vapp.instanceName });
    await until('the instance gone from the cache', () => !w.rt.instances.get(vapp.instanceName, w.vdc.namespace), POLL);
    await until('the VM rows gone', () => vmsOfVapp(w.db, vapp.id).length === 0, POLL);
    expect(vappOf(w, vapp.id)).toMatchObject({ status: 'DELETING', statusMessage: null });
    expect(w.settled).toContain(vapp.id);
  });

  it('does not call an instance it just created deleted while the instance watch has not delivered it yet', async () => {
    const w = await world();
    // The instance watches end and their reconnects are held: the informer stays synced but lags.
    const held = cluster.sim.faults.inject({ verb: 'watch', resource: 'templateinstances', latencyMs: 1_000 });
    cluster.sim.faults.inject({ verb: 'watch', resource: 'templateinstances', dropWatch: 'close', times: 1 });
    const { vapp, uid } = await instantiate(w, 'fresh');
    expect(w.rt.instances.get(vapp.instanceName, w.vdc.namespace)).toBeUndefined();
    expect(w.rt.instances.synced()).toBe(true);
    expect(vappOf(w, vapp.id)).toMatchObject({ status: 'INSTANTIATING', statusMessage: null, instanceUid: uid });
    cluster.sim.faults.clear(held);
    await waitVapp(w, vapp.id, 'POWERED_OFF');
  });

  it('applies VM events that arrived before the instance uid was known', async () => {
    const w = await world();
    // The instance watch lags (stopped here): only the uid createInstance returns tells the sync.
    await w.rt.instances.stop();
    const vapp = seedVapp(w.db, w.vdc, randomUUID(), 'early', { status: 'CREATING', templateName: 'fedora-server-small' });
    // The call returns only after the controller made the VM and the VM informer saw it.
    cluster.sim.faults.inject({ verb: 'patch', resource: 'secrets', namespace: w.vdc.namespace, latencyMs: 1_500, times: 1 });
    const pending = w.rt.instantiate(spec(w, vapp));
    await until('the VM in the cache', () => w.rt.vms.get('early', w.vdc.namespace)?.status?.printableStatus === 'Stopped', POLL);
    expect(vmsOfVapp(w.db, vapp.id)).toEqual([]);
    const uid = await pending;
    // At once, not on a later event.
    expect(vmsOfVapp(w.db, vapp.id)).toMatchObject([{ name: 'early', status: 'POWERED_OFF', uid: w.rt.vms.get('early', w.vdc.namespace)!.metadata!.uid }]);
    expect(w.rt.vms.get('early', w.vdc.namespace)!.metadata!.labels![OWNER]).toBe(uid);
  });
});

describe('StatusSync edge cases', () => {
  /** A sync over hand-made caches and an in-memory database. */
  function unit(o: { synced?: boolean; instance?: Obj; vm?: Obj } = {}) {
    const db = openDb(':memory:');
    const org = seedOrg(db, 'acme');
    const vdc = seedVdc(db, org.id, 'dev');
    const settled: string[] = [];
    const caches: Caches = {
      instance: () => o.instance,
      vm: () => o.vm,
      vmi: () => undefined,
      instancesSynced: () => o.synced ?? true,
    };
    const sync = new StatusSync(db, quiet, caches, (v) => settled.push(v.id), () => 1_000);
    return { db, org, vdc, sync, settled };
  }
  const ready = { status: { conditions: [{ type: 'Ready', status: 'True' }] } };

  it('keeps an instance-less vApp as it is while the instance cache has not synced, showing the VM rows it has', () => {
    const u = unit({ synced: false });
    const on = seedVapp(u.db, u.vdc, 'owner', 'on', { status: 'INSTANTIATING', instanceUid: 'uid-on' });
    seedVm(u.db, on, u.vdc.namespace, 'on-1', { status: 'POWERED_ON' });
    const bare = seedVapp(u.db, u.vdc, 'owner', 'bare', { status: 'POWERED_OFF', instanceUid: 'uid-bare' });
    u.sync.refreshVapp(on.id);
    u.sync.refreshVapp(bare.id);
    expect(findVapp(u.db, on.id)).toMatchObject({ status: 'POWERED_ON', statusMessage: null });
    expect(findVapp(u.db, bare.id)).toMatchObject({ status: 'UNKNOWN', statusMessage: null, updatedAt: 1_000 });
  });

  it('calls an absent instance deleted only when the vApp had one', () => {
    const u = unit();
    const never = seedVapp(u.db, u.vdc, 'owner', 'never', { status: 'INSTANTIATING', instanceUid: null });
    const had = seedVapp(u.db, u.vdc, 'owner', 'had', { status: 'POWERED_ON', instanceUid: 'uid-had' });
    u.sync.refreshVapp(never.id);
    u.sync.refreshVapp(had.id);
    expect(findVapp(u.db, never.id)).toMatchObject({ status: 'INSTANTIATING', statusMessage: null });
    expect(findVapp(u.db, had.id)).toMatchObject({ status: 'FAILED', statusMessage: OUT_OF_BAND });
  });

  it('gives an instance it created a minute to appear in the cache before calling it deleted', () => {
    let now = 1_000;
    const u = unit();
    const sync = new StatusSync(u.db, quiet, { instance: () => undefined, vm: () => undefined, vmi: () => undefined, instancesSynced: () => true }, () => undefined, () => now);
    const v = seedVapp(u.db, u.vdc, 'owner', 'new', { status: 'INSTANTIATING', instanceUid: 'uid-new' });
    const seen = seedVapp(u.db, u.vdc, 'owner', 'seen', { status: 'INSTANTIATING', instanceUid: 'uid-seen' });
    sync.rememberInstance('uid-new', v.id);
    sync.rememberInstance('uid-seen', seen.id);
    // The informer showed this one (and its deletion), so its absence counts at once.
    sync.instanceEvent('delete', { metadata: { name: 'seen', namespace: 'elsewhere', uid: 'uid-seen' } });
    now += 59_000;
    sync.refreshVapp(v.id);
    sync.refreshVapp(seen.id);
    expect(findVapp(u.db, v.id)).toMatchObject({ status: 'INSTANTIATING', statusMessage: null });
    expect(findVapp(u.db, seen.id)).toMatchObject({ status: 'FAILED', statusMessage: OUT_OF_BAND });
    now += 1_000;
    sync.refreshVapp(v.id);
    expect(findVapp(u.db, v.id)).toMatchObject({ status: 'FAILED', statusMessage: OUT_OF_BAND });
  });

  it('does not rewrite a vApp whose status did not change', () => {
    const u = unit({ instance: ready });
    const v = seedVapp(u.db, u.vdc, 'owner', 'same', { status: 'POWERED_OFF', instanceUid: 'uid-same', updatedAt: 5 });
    seedVm(u.db, v, u.vdc.namespace, 'same-1', { status: 'POWERED_OFF' });
    u.sync.refreshVapp(v.id);
    expect(findVapp(u.db, v.id)).toMatchObject({ status: 'POWERED_OFF', updatedAt: 5 });
  });

  it('ignores VM events without a uid, deletions of VMs it has no row for, and VMI events of VMs without a row', () => {
    const vm = { metadata: { name: 'x', namespace: 'ns', uid: 'uid-x', labels: { [OWNER]: 'uid-ti' } }, spec: { runStrategy: 'Halted' } };
    const u = unit({ vm });
    const v = seedVapp(u.db, u.vdc, 'owner', 'v', { status: 'POWERED_OFF', instanceUid: 'uid-ti' });
    u.sync.vmEvent('add', { metadata: { name: 'nouid', namespace: u.vdc.namespace, labels: { [OWNER]: 'uid-ti' } } });
    u.sync.vmEvent('delete', { metadata: { name: 'x', namespace: 'ns', uid: 'unknown' } });
    u.sync.vmiEvent('add', { metadata: { name: 'x', namespace: 'ns' } });
    u.sync.vmiEvent('add', { metadata: { name: 'x' } });
    expect(u.db.select().from(vms).all()).toEqual([]);
    expect(u.settled).toEqual([]);
    expect(findVapp(u.db, v.id)!.status).toBe('POWERED_OFF');
  });

  it('takes hardware and addresses from a VMI event alone, and drops them when the VMI goes', () => {
    const vm = { metadata: { name: 'v-1', namespace: 'ns', uid: 'uid-vm', labels: { [OWNER]: 'uid-ti' } }, spec: { runStrategy: 'Always', template: { spec: { domain: { cpu: { cores: 1 }, memory: { guest: '1Gi' } } } } }, status: { printableStatus: 'Running' } };
    const u = unit({ vm });
    const v = seedVapp(u.db, u.vdc, 'owner', 'v', { status: 'POWERED_ON', instanceUid: 'uid-ti' });
    seedVm(u.db, v, 'ns', 'v-1', { uid: 'uid-vm', status: 'POWERED_ON' });
    const vmi = {
      metadata: { name: 'v-1', namespace: 'ns' },
      status: {
        currentCPUTopology: { cores: 2, sockets: 2, threads: 1 }, memory: { guestCurrent: '3Gi' }, guestOSInfo: { prettyName: 'Fedora Linux 40' },
        interfaces: [{ name: 'default', ipAddress: '10.128.0.9', mac: '02:00:00:00:00:09' }],
      },
    };
    u.sync.vmiEvent('update', vmi);
    expect(findVmByUid(u.db, 'uid-vm')).toMatchObject({
      status: 'POWERED_ON', numCpus: 4, coresPerSocket: 2, memoryMb: 3072, guestOs: 'Fedora Linux 40',
      interfaces: [{ name: 'default', ipAddress: '10.128.0.9', macAddress: '02:00:00:00:00:09' }],
    });
    u.sync.vmiEvent('delete', vmi);
    expect(findVmByUid(u.db, 'uid-vm')).toMatchObject({ numCpus: 1, coresPerSocket: 1, memoryMb: 1024, guestOs: null, interfaces: [] });
  });

  it('keeps a vApp INSTANTIATING while its VM is Provisioning its disks, then follows the VM', () => {
    const u = unit({ instance: { metadata: { uid: 'uid-ti' }, ...ready } });
    const v = seedVapp(u.db, u.vdc, 'owner', 'v', { status: 'INSTANTIATING', instanceUid: 'uid-ti' });
    u.sync.rememberInstance('uid-ti', v.id);
    const vm = { metadata: { name: 'v-1', namespace: u.vdc.namespace, uid: 'uid-vm', labels: { [OWNER]: 'uid-ti' } }, spec: { runStrategy: 'Always' }, status: { printableStatus: 'Provisioning' } };
    u.sync.vmEvent('add', vm);
    expect(vmsOfVapp(u.db, v.id)[0]!.status).toBe('POWERING_ON');
    expect(findVapp(u.db, v.id)!.status).toBe('INSTANTIATING');
    u.sync.vmEvent('update', { ...vm, status: { printableStatus: 'Starting' } });
    expect(findVapp(u.db, v.id)!.status).toBe('MIXED');
    u.sync.vmEvent('update', { ...vm, status: { printableStatus: 'Running' } });
    expect(findVapp(u.db, v.id)!.status).toBe('POWERED_ON');
  });

  it('adopts a VM of an instance remembered before its event, and tells VM listeners until they unsubscribe', () => {
    const u = unit();
    const v = seedVapp(u.db, u.vdc, 'owner', 'v', { status: 'INSTANTIATING' });
    const vm = { metadata: { name: 'v-1', namespace: u.vdc.namespace, uid: 'uid-vm', labels: { [OWNER]: 'uid-new' } }, spec: { runStrategy: 'Halted' } };
    const heard: string[] = [];
    const off = u.sync.onVm((r) => heard.push(`${r.name}:${r.status}`));
    u.sync.vmEvent('add', vm);
    expect(vmsOfVapp(u.db, v.id)).toEqual([]);
    u.sync.rememberInstance('uid-new', v.id);
    u.sync.vmEvent('update', vm);
    expect(vmsOfVapp(u.db, v.id)).toMatchObject([{ name: 'v-1', uid: 'uid-vm', status: 'POWERED_OFF', createdAt: 1_000 }]);
    expect(heard).toEqual(['v-1:POWERED_OFF']);
    off();
    u.sync.vmEvent('update', { ...vm, status: { printableStatus: 'Running' } });
    expect(vmsOfVapp(u.db, v.id)[0]!.status).toBe('POWERED_ON');
    expect(heard).toEqual(['v-1:POWERED_OFF']);
  });
});
