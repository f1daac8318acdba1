import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { startTestCluster, type TestCluster } from '#test/support/cluster.ts';
import { seedVapp } from '#test/support/fixtures.ts';
import { clusterVdc, instantiateOk, instantiatePath, vappWorld, waitFor, waitVappStatus, type ClusterApp, type VappWorld } from '#test/support/vapp-world.ts';
import { findVapp, updateVapp } from '#db/queries/vapps.ts';
import { templateParameters } from '#lib/vapps/parameters.ts';
import { templatesOf } from '#lib/catalog/items.ts';

let cluster: TestCluster;
let t: ClusterApp;
let w: VappWorld;
let custom: CustomObjectsApi;
let core: CoreV1Api;
const TI = { group: 'template.openshift.io', version: 'v1', plural: 'templateinstances' } as const;

beforeAll(async () => {
  cluster = await startTestCluster();
  t = await cluster.app();
  w = await vappWorld(t);
  custom = cluster.sim.kubeConfig().makeApiClient(CustomObjectsApi);
  core = cluster.sim.kubeConfig().makeApiClient(CoreV1Api);
}, 30_000);
afterAll(() => cluster.stop());

/** What is left of an instance in a namespace: the instance, its Secret and VMs it owns. */
async function leftovers(namespace: string, instanceName: string): Promise<string[]> {
  const tis = (await custom.listNamespacedCustomObject({ ...TI, namespace }) as any).items as any[];
  const ti = tis.find((i) => i.metadata.name === instanceName);
  const vms = ((await custom.listNamespacedCustomObject({ group: 'kubevirt.io', version: 'v1', namespace, plural: 'virtualmachines' }) as any).items as any[])
    .filter((vm) => ti && vm.metadata.labels?.['template.openshift.io/template-instance-owner'] === ti.metadata.uid);
  const secrets = (await core.listNamespacedSecret({ namespace })).items.filter((s) => s.metadata!.name === `${instanceName}-params`);
  return [...(ti ? [`ti/${instanceName}`] : []), ...vms.map((v) => `vm/${v.metadata.name}`), ...secrets.map((s) => `secret/${s.metadata!.name}`)];
}

/** Creates a vApp's Secret and instance as an instantiation would, for a row seeded by the test. */
async function createObjects(row: { id: string; name: string; instanceName: string }, namespace = w.vdc.namespace, vdcId = w.vdc.id): Promise<string> {
  const tpl = templatesOf(t.runtime)!.get('openshift', 'fedora-server-small')!;
  return t.runtime.instantiate({
    namespace, instanceName: row.instanceName, vappId: row.id, vappName: row.name, vdcId,
    templateNamespace: 'openshift', templateName: 'fedora-server-small', template: t.runtime.rawTemplate('openshift', 'fedora-server-small')!,
    parameters: templateParameters(tpl, {}, row.instanceName),
  });
}

/** A time before this process's reconciler started: the row belongs to a previous process. */
const OWNER = randomUUID();
const BEFORE_RESTART = () => Date.now() - 120_000;

describe('repairVapp (reconciler)', () => {
  it('undoes a vApp left CREATING by a previous process after its objects were created: objects and row gone', async () => {
    const row = seedVapp(t.db, w.vdc, OWNER, `crash-${randomUUID().slice(0, 6)}`, { status: 'CREATING', updatedAt: BEFORE_RESTART() });
    await createObjects(row);
    await waitFor(async () => (await leftovers(w.vdc.namespace, row.instanceName)).some((x) => x.startsWith('vm/')), 'the VM of the instance');
    await t.runtime.reconciler!.trigger();
    await waitFor(async () => (await leftovers(w.vdc.namespace, row.instanceName)).length === 0 || undefined, 'objects gone');
    await waitFor(async () => { await t.runtime.reconciler!.trigger(); return !findVapp(t.db, row.id); }, 'row gone');
  });

  it('undoes a vApp left CREATING before anything reached the cluster: the row goes', async () => {
    const row = seedVapp(t.db, w.vdc, OWNER, `early-${randomUUID().slice(0, 6)}`, { status: 'CREATING', updatedAt: BEFORE_RESTART() });
    await t.runtime.reconciler!.trigger();
    // The dead process's calls may still land: the row waits DELETING for the late-write window.
    expect(findVapp(t.db, row.id)).toMatchObject({ status: 'DELETING' });
    await waitFor(async () => { await t.runtime.reconciler!.trigger(); return !findVapp(t.db, row.id); }, 'row gone', 15_000);
  });

  it('keeps an undone vApp for the late-write window by its undo_started_at, even once its message is changed', async () => {
    const row = seedVapp(t.db, w.vdc, OWNER, `late-${randomUUID().slice(0, 6)}`, { status: 'CREATING', updatedAt: BEFORE_RESTART() });
    const before = Date.now();
    await t.runtime.reconciler!.trigger();
    const undone = findVapp(t.db, row.id)!;
    expect(undone).toMatchObject({ status: 'DELETING', statusMessage: 'Creation failed; removing what it created' });
    expect(undone.undoStartedAt).toBeGreaterThanOrEqual(before);
    // The message (and an old updatedAt) no longer mark anything: the column does.
    updateVapp(t.db, row.id, { statusMessage: 'rewritten', updatedAt: BEFORE_RESTART() });
    await t.runtime.reconciler!.trigger();
    expect(findVapp(t.db, row.id)).toMatchObject({ status: 'DELETING', statusMessage: 'rewritten' });
    updateVapp(t.db, row.id, { undoStartedAt: Date.now() - t.runtime.lateWriteMs - 1 });
    await waitFor(async () => { await t.runtime.reconciler!.trigger(); return !findVapp(t.db, row.id); }, 'row gone');
  });

  it('undoes a vApp left CREATING with only its params Secret (killed between the Secret and the instance)', async () => {
    const row = seedVapp(t.db, w.vdc, OWNER, `half-${randomUUID().slice(0, 6)}`, { status: 'CREATING', updatedAt: BEFORE_RESTART() });
    await core.createNamespacedSecret({ namespace: w.vdc.namespace, body: { metadata: { name: `${row.instanceName}-params`, labels: { 'app.kubernetes.io/managed-by': 'ssvirt', 'ssvirt.io/vapp-id': row.id } }, stringData: { NAME: 'x' } } });
    await t.runtime.reconciler!.trigger();
    expect(await leftovers(w.vdc.namespace, row.instanceName)).toEqual([]);
    await waitFor(async () => { await t.runtime.reconciler!.trigger(); return !findVapp(t.db, row.id); }, 'row gone', 15_000);
  });

  it('leaves a CREATING row of this process alone while its request may still be in flight', async () => {
    const row = seedVapp(t.db, w.vdc, OWNER, `live-${randomUUID().slice(0, 6)}`, { status: 'CREATING', updatedAt: Date.now() });
    await t.runtime.reconciler!.trigger();
    expect(findVapp(t.db, row.id)?.status).toBe('CREATING');
    updateVapp(t.db, row.id, { status: 'DELETING' });
    await t.runtime.reconciler!.trigger();
    expect(findVapp(t.db, row.id)).toBeUndefined();
  });

  it('finishes a vApp left DELETING whose objects were never deleted', async () => {
    const v = await instantiateOk(t, w.tokens.user, w.vdc.id, { name: `stuck-${randomUUID().slice(0, 6)}` });
    await waitVappStatus(t, w.tokens.user, v.id, 'POWERED_OFF');
    const id = v.id.split(':').pop();
    const row = findVapp(t.db, id)!;
    updateVapp(t.db, id, { status: 'DELETING' });
    expect(await leftovers(w.vdc.namespace, row.instanceName)).not.toEqual([]);
    await t.runtime.reconciler!.trigger();
    await waitFor(async () => (await leftovers(w.vdc.namespace, row.instanceName)).length === 0 || undefined, 'objects gone');
    await waitFor(async () => { await t.runtime.reconciler!.trigger(); return !findVapp(t.db, id); }, 'row gone');
  });

  it('deletes an instance (and its Secret) labelled with a vApp id no row claims, only in our namespaces', async () => {
    const ghost = { id: randomUUID(), name: 'ghost', instanceName: `ghost-${randomUUID().slice(0, 6)}` };
    await createObjects(ghost);
    // The same in a namespace no VDC row claims: not ours to delete.
    const foreignNs = `foreign-${randomUUID().slice(0, 6)}`;
    await core.createNamespace({ body: { metadata: { name: foreignNs } } });
    await createObjects(ghost, foreignNs);
    await waitFor(() => t.runtime.instances.list().filter((i) => i.metadata?.name === ghost.instanceName).length === 2 || undefined, 'both instances cached');
    await t.runtime.reconciler!.trigger();
    await waitFor(async () => (await leftovers(w.vdc.namespace, ghost.instanceName)).length === 0 || undefined, 'orphan objects gone');
    expect(await leftovers(foreignNs, ghost.instanceName)).toContain(`ti/${ghost.instanceName}`);
    expect(await leftovers(foreignNs, ghost.instanceName)).toContain(`secret/${ghost.instanceName}-params`);
  });

  it('keeps a failed instantiation DELETING when its cleanup fails too, and the reconciler removes what remains', async () => {
    const vdc = await clusterVdc(t, w.acme.id, `faulty-${randomUUID().slice(0, 4)}`);
    await waitFor(() => t.runtime.namespaceCached(vdc.namespace), 'namespace cached');
    const name = `fail-${randomUUID().slice(0, 6)}`;
    cluster.sim.faults.inject({ verb: 'create', resource: 'templateinstances', status: 500, times: 1 });
    cluster.sim.faults.inject({ verb: 'delete', resource: 'secrets', status: 500, times: 1 });
    const res = await t.request('POST', instantiatePath(vdc.id), { token: w.tokens.user, body: { name, catalogItem: { name: 'fedora-server-small' } } });
    const body: any = await res.json();
    expect(res.status).toBe(503);
    expect(body.minorErrorCode).toBe('CLUSTER_UNAVAILABLE');
    const row = t.db.$client.prepare('SELECT id, status, instance_name AS instanceName FROM vapps WHERE name = ?').get(name) as { id: string; status: string; instanceName: string };
    expect(row.status).toBe('DELETING');
    expect(await leftovers(vdc.namespace, row.instanceName)).toEqual([`secret/${row.instanceName}-params`]);
    await waitFor(async () => { await t.runtime.reconciler!.trigger(); return !findVapp(t.db, row.id); }, 'row gone');
    expect(await leftovers(vdc.namespace, row.instanceName)).toEqual([]);
    // The name is free again.
    const again = await t.request('POST', instantiatePath(vdc.id), { token: w.tokens.user, body: { name, catalogItem: { name: 'fedora-server-small' } } });
    expect(again.status).toBe(201);
  });
});
