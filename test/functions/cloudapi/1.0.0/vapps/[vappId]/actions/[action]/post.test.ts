import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { startTestCluster, type TestCluster } from '#test/support/cluster.ts';
import { makeTestApp, json } from '#test/support/app.ts';
import { seedVapp, seedVdc, seedVm } from '#test/support/fixtures.ts';
import { vdcWorld } from '#test/support/vdc-world.ts';
import { instantiateOk, vappPath, vappWorld, waitFor, waitTask, waitVappStatus, type ClusterApp, type VappWorld } from '#test/support/vapp-world.ts';
import { updateVdc } from '#db/queries/vdcs.ts';

let cluster: TestCluster;
let t: ClusterApp;
let w: VappWorld;

beforeAll(async () => {
  cluster = await startTestCluster();
  t = await cluster.app();
  w = await vappWorld(t);
}, 30_000);
afterAll(() => cluster.stop());

/** A new vApp whose VM KubeVirt reports Stopped. */
async function stoppedVapp(token = w.tokens.user): Promise<any> {
  const v = await instantiateOk(t, token, w.vdc.id, { name: `va-${randomUUID().slice(0, 6)}` });
  return waitFor(async () => {
    const got = await json(await t.request('GET', vappPath(v.id), { token }));
    return got.status === 'POWERED_OFF' && got.vms[0]?.kubernetes.printableStatus === 'Stopped' ? got : undefined;
  }, 'vApp stopped');
}

const act = (id: string, action: string, token = w.tokens.user) => t.request('POST', `${vappPath(id)}/actions/${action}`, { token });

async function run(id: string, action: string, token = w.tokens.user): Promise<any> {
  const res = await act(id, action, token);
  const task = await json(res);
  expect(res.status, JSON.stringify(task)).toBe(202);
  expect(task).toMatchObject({ status: 'running', operationName: `vapp${action[0]!.toUpperCase()}${action.slice(1)}`, owner: { id, type: 'application/vnd.vmware.vcloud.vApp+xml' } });
  return waitTask(t, token, res.headers.get('location')!);
}

describe('POST /cloudapi/1.0.0/vapps/:vappId/actions/:action', () => {
  it('powers a vApp on, reboots, suspends, resumes and powers it off through tasks', async () => {
    const v = await stoppedVapp();
    expect((await run(v.id, 'powerOn')).status).toBe('success');
    await waitVappStatus(t, w.tokens.user, v.id, 'POWERED_ON');
    expect((await run(v.id, 'reboot')).status).toBe('success');
    expect((await run(v.id, 'suspend')).status).toBe('success');
    await waitVappStatus(t, w.tokens.user, v.id, 'SUSPENDED');
    expect((await run(v.id, 'powerOn')).status).toBe('success');
    expect((await run(v.id, 'reset')).status).toBe('success');
    expect((await run(v.id, 'shutdown')).status).toBe('success');
    await waitVappStatus(t, w.tokens.user, v.id, 'POWERED_OFF');
  });

  it('answers 400 naming the vApp status when the action fits no VM', async () => {
    const v = await stoppedVapp();
    const res = await act(v.id, 'powerOff');
    expect(res.status).toBe(400);
    expect((await json(res)).message).toBe('cannot powerOff a vApp whose status is POWERED_OFF');
  });

  it('ends the task in error with the reason when a VM fails', async () => {
    const v = await stoppedVapp();
    const custom = cluster.sim.kubeConfig().makeApiClient(CustomObjectsApi);
    await custom.patchNamespacedCustomObject({
      group: 'kubevirt.io', version: 'v1', namespace: w.vdc.namespace, plural: 'virtualmachines', name: v.vms[0].name,
      body: { metadata: { annotations: { 'sim.ssvirt.io/fail': 'ErrImagePull' } } },
    }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    const task = await run(v.id, 'powerOn');
    expect(task.status).toBe('error');
    expect(task.error.message).toContain('ErrImagePull');
    const failed = await waitVappStatus(t, w.tokens.user, v.id, 'FAILED');
    expect(failed.vms[0].statusMessage).toBe('ErrImagePull');
  });

  it('answers 404 for an unknown action, 403 across tenants and owners', async () => {
    const v = await stoppedVapp(w.tokens.orgAdmin);
    expect((await act(v.id, 'launch', w.tokens.orgAdmin)).status).toBe(404);
    expect((await act(v.id, 'powerOn', w.tokens.betaUser)).status).toBe(403);
    expect((await act(v.id, 'powerOn', w.tokens.user)).status).toBe(403);
    expect((await act(randomUUID(), 'powerOn', w.tokens.sys)).status).toBe(403);
    expect((await t.request('POST', '/cloudapi/1.0.0/vapps/nope/actions/powerOn', { token: w.tokens.sys })).status).toBe(400);
  });

  it('answers 400 BUSY_ENTITY for powerOn in a disabled VDC and for a vApp without VMs', async () => {
    const v = await stoppedVapp();
    updateVdc(t.db, w.vdc.id, { isEnabled: false });
    try {
      const res = await act(v.id, 'powerOn');
      expect(res.status).toBe(400);
      expect((await json(res)).minorErrorCode).toBe('BUSY_ENTITY');
    } finally {
      updateVdc(t.db, w.vdc.id, { isEnabled: true });
    }
    const empty = seedVapp(t.db, { id: w.vdc.id, orgId: w.acme.id, namespace: w.vdc.namespace }, randomUUID(), 'empty', { status: 'INSTANTIATING' });
    const res = await act(empty.id, 'powerOn', w.tokens.sys);
    expect(res.status).toBe(400);
    expect(await json(res)).toMatchObject({ minorErrorCode: 'BUSY_ENTITY', message: expect.stringContaining('no VMs') });
  });

  it('answers 503 without a cluster', async () => {
    const bare = await makeTestApp();
    const bw = await vdcWorld(bare);
    const vdc = seedVdc(bare.db, bw.acme.id, 'dev');
    const vapp = seedVapp(bare.db, vdc, randomUUID(), 'v');
    seedVm(bare.db, vapp, vdc.namespace, 'v1', { status: 'POWERED_OFF' });
    const res = await bare.request('POST', `${vappPath(vapp.id)}/actions/powerOn`, { token: await bare.adminToken() });
    expect(res.status).toBe(503);
    expect((await json(res)).minorErrorCode).toBe('CLUSTER_UNAVAILABLE');
  });
});
