import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { startTestCluster, type TestCluster } from '#test/support/cluster.ts';
import { makeTestApp, json } from '#test/support/app.ts';
import { seedVapp, seedVdc } from '#test/support/fixtures.ts';
import { vdcWorld } from '#test/support/vdc-world.ts';
import { instantiateOk, vappPath, vappWorld, waitFor, waitTask, waitVappStatus, type ClusterApp, type VappWorld } from '#test/support/vapp-world.ts';
import { findVapp } from '#db/queries/vapps.ts';

let cluster: TestCluster;
let t: ClusterApp;
let w: VappWorld;

beforeAll(async () => {
  cluster = await startTestCluster();
  t = await cluster.app();
  w = await vappWorld(t);
}, 30_000);
afterAll(() => cluster.stop());

async function offVapp(opts: { powerOn?: boolean; token?: string } = {}): Promise<any> {
  const token = opts.token ?? w.tokens.user;
  const v = await instantiateOk(t, token, w.vdc.id, { name: `del-${randomUUID().slice(0, 6)}`, powerOn: opts.powerOn });
  return waitVappStatus(t, token, v.id, opts.powerOn ? 'POWERED_ON' : 'POWERED_OFF');
}

/** What is left of a vApp in the simulator: its instance, Secret and VMs. */
async function leftovers(instanceName: string): Promise<string[]> {
  const kc = cluster.sim.kubeConfig();
  const custom = kc.makeApiClient(CustomObjectsApi);
  const core = kc.makeApiClient(CoreV1Api);
  const ns = w.vdc.namespace;
  const tis = (await custom.listNamespacedCustomObject({ group: 'template.openshift.io', version: 'v1', namespace: ns, plural: 'templateinstances' }) as any).items.map((i: any) => `ti/${i.metadata.name}`);
  const vms = (await custom.listNamespacedCustomObject({ group: 'kubevirt.io', version: 'v1', namespace: ns, plural: 'virtualmachines' }) as any).items.map((i: any) => `vm/${i.metadata.name}`);
  const secrets = (await core.listNamespacedSecret({ namespace: ns })).items.map((s) => `secret/${s.metadata!.name}`);
  return [...tis, ...vms, ...secrets].filter((n) => n.split('/')[1]!.startsWith(instanceName));
}

describe('DELETE /cloudapi/1.0.0/vapps/:vappId', () => {
  it('answers 202 DELETING with a task, removes the objects and the row, then GET is 403', async () => {
    const v = await offVapp();
    const row = findVapp(t.db, v.id.split(':').pop())!;
    expect(await leftovers(row.instanceName)).not.toEqual([]);
    const res = await t.request('DELETE', vappPath(v.id), { token: w.tokens.user });
    const body = await json(res);
    expect(res.status).toBe(202);
    expect(body).toMatchObject({ id: v.id, status: 'DELETING' });
    const task = await waitTask(t, w.tokens.user, res.headers.get('location')!);
    expect(task).toMatchObject({ status: 'success', operationName: 'vappDelete', owner: { id: v.id } });
    expect((await t.request('GET', vappPath(v.id), { token: w.tokens.user })).status).toBe(403);
    expect(await waitFor(async () => (await leftovers(row.instanceName)).length === 0, 'objects gone')).toBe(true);
    // The name may be reused.
    await instantiateOk(t, w.tokens.user, w.vdc.id, { name: v.name });
  });

  it('refuses while a VM is powered on, and stops it first when forced', async () => {
    const v = await offVapp({ powerOn: true });
    const busy = await t.request('DELETE', vappPath(v.id), { token: w.tokens.user });
    expect(busy.status).toBe(400);
    expect(await json(busy)).toMatchObject({ minorErrorCode: 'BUSY_ENTITY', message: expect.stringContaining('force=true') });
    expect((await json(await t.request('GET', vappPath(v.id), { token: w.tokens.user }))).status).toBe('POWERED_ON');
    const forced = await t.request('DELETE', `${vappPath(v.id)}?force=true`, { token: w.tokens.user });
    expect(forced.status).toBe(202);
    expect((await waitTask(t, w.tokens.user, forced.headers.get('location')!)).status).toBe('success');
    expect((await t.request('GET', vappPath(v.id), { token: w.tokens.user })).status).toBe(403);
  });

  it('puts the vApp back and answers 503 when the cluster answers a failure (500)', async () => {
    const v = await offVapp();
    cluster.sim.faults.inject({ verb: 'delete', resource: 'templateinstances', status: 500, times: 1 });
    const res = await t.request('DELETE', vappPath(v.id), { token: w.tokens.user });
    expect(res.status).toBe(503);
    expect((await json(res)).minorErrorCode).toBe('CLUSTER_UNAVAILABLE');
    expect(findVapp(t.db, v.id.split(':').pop())!.status).toBe('POWERED_OFF');
    await waitFor(() => t.runtime.reachable() || undefined, 'cluster reachable', 15_000);
    expect((await t.request('DELETE', vappPath(v.id), { token: w.tokens.user })).status).toBe(202);
  }, 20_000);

  it('answers 202 with a running task when the cluster does not answer in time (the deletes may still land); the reconciler completes it', async () => {
    const v = await offVapp();
    const id = v.id.split(':').pop();
    const row = findVapp(t.db, id)!;
    cluster.sim.faults.inject({ verb: 'delete', resource: 'templateinstances', latencyMs: 3_500, times: 1 });
    const res = await t.request('DELETE', vappPath(v.id), { token: w.tokens.user });
    // The delete will happen: it is accepted, not a 503 inviting a retry.
    expect(res.status).toBe(202);
    expect((await json(res)).status).toBe('DELETING');
    expect(findVapp(t.db, id)!.status).toBe('DELETING');
    await waitFor(() => t.runtime.reachable() || undefined, 'cluster reachable', 15_000);
    await waitFor(async () => { await t.runtime.reconciler!.trigger(); return !findVapp(t.db, id); }, 'row gone', 15_000);
    expect(await leftovers(row.instanceName)).toEqual([]);
    expect((await waitTask(t, w.tokens.user, res.headers.get('location')!, 15_000)).status).toBe('success');
  }, 30_000);

  it('puts the vApp back and answers 400 BUSY_ENTITY when the cluster refuses (409)', async () => {
    const v = await offVapp();
    cluster.sim.faults.inject({ verb: 'delete', resource: 'templateinstances', status: 409, times: 1 });
    const res = await t.request('DELETE', vappPath(v.id), { token: w.tokens.user });
    expect(res.status).toBe(400);
    expect((await json(res)).minorErrorCode).toBe('BUSY_ENTITY');
    expect(findVapp(t.db, v.id.split(':').pop())!.status).toBe('POWERED_OFF');
    expect((await t.request('DELETE', vappPath(v.id), { token: w.tokens.user })).status).toBe(202);
  });

  it('answers 400 BUSY_ENTITY for a vApp already being deleted and 400 for a bad force value', async () => {
    const v = await offVapp();
    expect((await t.request('DELETE', `${vappPath(v.id)}?force=maybe`, { token: w.tokens.user })).status).toBe(400);
    const row = findVapp(t.db, v.id.split(':').pop())!;
    const deleting = seedVapp(t.db, { id: w.vdc.id, orgId: w.acme.id, namespace: w.vdc.namespace }, row.ownerId, `gone-${randomUUID().slice(0, 4)}`, { status: 'DELETING' });
    const res = await t.request('DELETE', vappPath(deleting.id), { token: w.tokens.user });
    expect(res.status).toBe(400);
    expect((await json(res)).minorErrorCode).toBe('BUSY_ENTITY');
  });

  it('answers 403 across tenants and owners, and for a missing vApp', async () => {
    const v = await offVapp({ token: w.tokens.orgAdmin });
    expect((await t.request('DELETE', vappPath(v.id), { token: w.tokens.betaUser })).status).toBe(403);
    expect((await t.request('DELETE', vappPath(v.id), { token: w.tokens.user })).status).toBe(403);
    expect((await t.request('DELETE', vappPath(randomUUID()), { token: w.tokens.sys })).status).toBe(403);
    expect((await t.request('DELETE', '/cloudapi/1.0.0/vapps/nope', { token: w.tokens.sys })).status).toBe(400);
  });

  it('answers 503 without a cluster', async () => {
    const bare = await makeTestApp();
    const bw = await vdcWorld(bare);
    const vdc = seedVdc(bare.db, bw.acme.id, 'dev');
    const vapp = seedVapp(bare.db, vdc, randomUUID(), 'v');
    const res = await bare.request('DELETE', vappPath(vapp.id), { token: await bare.adminToken() });
    expect(res.status).toBe(503);
    expect(findVapp(bare.db, vapp.id)!.status).toBe('POWERED_OFF');
  });

  it('answers 202 with the task when the row goes while the cluster deletes (not 500)', async () => {
    const v = await offVapp();
    const id = v.id.split(':').pop();
    const k8s = t.runtime;
    const real = k8s.deleteVappObjects;
    // The reconciler finishing the deletion mid-call: the objects go, then the row.
    k8s.deleteVappObjects = async function (this: typeof k8s, ...args: Parameters<typeof real>) {
      const out = await real.apply(this, args);
      t.db.$client.prepare('DELETE FROM vms WHERE vapp_id = ?').run(id);
      t.db.$client.prepare('DELETE FROM vapps WHERE id = ?').run(id);
      return out;
    };
    try {
      const res = await t.request('DELETE', vappPath(v.id), { token: w.tokens.user });
      expect(res.status).toBe(202);
      const body = await json(res);
      expect(body).toMatchObject({ id: v.id, status: 'DELETING' });
      expect(res.headers.get('location')).toMatch(/\/api\/task\//);
    } finally {
      k8s.deleteVappObjects = real;
    }
  });
});
