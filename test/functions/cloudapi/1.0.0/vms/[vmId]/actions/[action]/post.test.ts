import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { startTestCluster, type TestCluster } from '#test/support/cluster.ts';
import { makeTestApp, json } from '#test/support/app.ts';
import { seedVapp, seedVdc, seedVm } from '#test/support/fixtures.ts';
import { vdcWorld } from '#test/support/vdc-world.ts';
import { instantiateOk, vmPath, vappWorld, waitFor, waitTask, type ClusterApp, type VappWorld } from '#test/support/vapp-world.ts';
import { findVdc, updateVdc } from '#db/queries/vdcs.ts';
import { runningTasks } from '#db/queries/tasks.ts';
import { tasks as taskTable } from '#db/schema.ts';
import { eq } from 'drizzle-orm';

let cluster: TestCluster;
let t: ClusterApp;
let w: VappWorld;

beforeAll(async () => {
  cluster = await startTestCluster();
  t = await cluster.app();
  w = await vappWorld(t);
}, 30_000);
afterAll(() => cluster.stop());

/** A new vApp's VM, once KubeVirt reports it Stopped. */
async function stoppedVm(token = w.tokens.user, vdcId = w.vdc.id): Promise<any> {
  const v = await instantiateOk(t, token, vdcId, { name: `vm-${randomUUID().slice(0, 6)}` });
  return waitFor(async () => {
    const got = await json(await t.request('GET', `/cloudapi/1.0.0/vapps/${encodeURIComponent(v.id)}`, { token }));
    return got.vms[0]?.kubernetes.printableStatus === 'Stopped' ? got.vms[0] : undefined;
  }, 'VM Stopped');
}

const act = (id: string, action: string, token = w.tokens.user, o: { raw?: string } = {}) =>
  t.request('POST', `${vmPath(id)}/actions/${action}`, { token, ...o });

async function run(id: string, action: string, token = w.tokens.user): Promise<any> {
  const res = await act(id, action, token);
  const task = await json(res);
  expect(res.status, JSON.stringify(task)).toBe(202);
  expect(res.headers.get('location')).toBe(`http://localhost/api/task/${task.id.split(':').pop()}`);
  expect(task).toMatchObject({ operationName: `vm${action[0]!.toUpperCase()}${action.slice(1)}`, owner: { id } });
  return waitTask(t, token, res.headers.get('location')!);
}

const status = async (id: string) => (await json(await t.request('GET', vmPath(id), { token: w.tokens.user }))).status;

describe('POST /cloudapi/1.0.0/vms/:vmId/actions/:action', () => {
  it('walks a VM through powerOn, suspend, powerOn, reboot, reset, shutdown and powerOff via tasks', async () => {
    const vm = await stoppedVm();
    const on = await run(vm.id, 'powerOn');
    expect(on).toMatchObject({ status: 'success', progress: 100, owner: { name: vm.name }, user: { name: 'acme-user' }, organization: { name: 'Acme' } });
    expect(await status(vm.id)).toBe('POWERED_ON');
    const running = await json(await t.request('GET', vmPath(vm.id), { token: w.tokens.user }));
    expect(running.network.interfaces[0].ipAddress).toMatch(/^10\.128\./);
    expect(running.hardware.numCpus).toBe(1);

    expect((await run(vm.id, 'suspend')).status).toBe('success');
    expect(await status(vm.id)).toBe('SUSPENDED');
    expect((await run(vm.id, 'powerOn')).status).toBe('success');
    expect(await status(vm.id)).toBe('POWERED_ON');

    for (const action of ['reboot', 'reset']) {
      const res = await act(vm.id, action);
      const started = await json(res);
      // The VM starts POWERED_ON: the task must not count that as done.
      expect(started.status).toBe('running');
      const done = await waitTask(t, w.tokens.user, res.headers.get('location')!);
      expect(done.status, action).toBe('success');
      expect(await status(vm.id)).toBe('POWERED_ON');
    }

    expect((await run(vm.id, 'shutdown')).status).toBe('success');
    expect(await status(vm.id)).toBe('POWERED_OFF');
    expect((await run(vm.id, 'powerOn')).status).toBe('success');
    expect((await run(vm.id, 'powerOff')).status).toBe('success');
    expect(await status(vm.id)).toBe('POWERED_OFF');
  });

  it('answers 400 with the current status for an action that does not fit', async () => {
    const vm = await stoppedVm();
    for (const action of ['powerOff', 'reboot', 'suspend', 'shutdown']) {
      const res = await act(vm.id, action);
      expect(res.status, action).toBe(400);
      expect((await json(res)).message).toBe(`cannot ${action} a VM whose status is POWERED_OFF`);
    }
  });

  it('answers 404 for an unknown action and accepts an empty or non-JSON body', async () => {
    const vm = await stoppedVm();
    const res = await act(vm.id, 'explode');
    expect(res.status).toBe(404);
    expect((await json(res)).minorErrorCode).toBe('RESOURCE_NOT_FOUND');
    const ok = await act(vm.id, 'powerOn', w.tokens.user, { raw: '' });
    expect(ok.status).toBe(202);
    await waitTask(t, w.tokens.user, ok.headers.get('location')!);
  });

  it('answers 403 to another org, to a vApp User for another user\'s VM, and hides the task', async () => {
    const vm = await stoppedVm(w.tokens.orgAdmin);
    expect((await act(vm.id, 'powerOn', w.tokens.betaUser)).status).toBe(403);
    expect((await act(vm.id, 'powerOn', w.tokens.user)).status).toBe(403);
    const res = await act(vm.id, 'powerOn', w.tokens.orgAdmin);
    expect(res.status).toBe(202);
    const path = new URL(res.headers.get('location')!).pathname;
    expect((await t.request('GET', path, { token: w.tokens.betaUser })).status).toBe(403);
    expect((await t.request('GET', path, { token: w.tokens.user })).status).toBe(403);
    await waitTask(t, w.tokens.orgAdmin, res.headers.get('location')!);
  });

  it('answers 400 BUSY_ENTITY for powerOn in a disabled VDC', async () => {
    const vm = await stoppedVm();
    updateVdc(t.db, w.vdc.id, { isEnabled: false });
    try {
      const res = await act(vm.id, 'powerOn');
      expect(res.status).toBe(400);
      expect(await json(res)).toMatchObject({ minorErrorCode: 'BUSY_ENTITY', message: expect.stringContaining('disabled') });
    } finally {
      updateVdc(t.db, w.vdc.id, { isEnabled: true });
    }
    expect(findVdc(t.db, w.vdc.id)!.isEnabled).toBe(true);
  });

  it('answers 503 and ends the task in error when the cluster fails the call', async () => {
    const vm = await stoppedVm();
    cluster.sim.faults.inject({ verb: 'update', resource: 'virtualmachines/start', status: 500, times: 1 });
    const res = await act(vm.id, 'powerOn');
    expect(res.status).toBe(503);
    expect((await json(res)).minorErrorCode).toBe('CLUSTER_UNAVAILABLE');
    expect(await status(vm.id)).toBe('POWERED_OFF');
    const vmId = vm.id.split(':').pop();
    const rows = t.db.select().from(taskTable).where(eq(taskTable.ownerId, vmId)).all();
    expect(rows.map((r) => [r.operationName, r.status, r.errorCode])).toEqual([['vmPowerOn', 'error', 'CLUSTER_UNAVAILABLE']]);
    expect(runningTasks(t.db, ['vmPowerOn'], vmId)).toEqual([]);
    // The next call succeeds (the cluster counts as reachable again after the probe/next call).
    await waitFor(() => t.runtime.reachable() || undefined, 'cluster reachable', 15_000);
    expect((await run(vm.id, 'powerOn')).status).toBe('success');
  }, 20_000);

  it('answers 503 without a cluster', async () => {
    const bare = await makeTestApp();
    const bw = await vdcWorld(bare);
    const vdc = seedVdc(bare.db, bw.acme.id, 'dev');
    const vapp = seedVapp(bare.db, vdc, randomUUID(), 'v');
    const vm = seedVm(bare.db, vapp, vdc.namespace, 'v1', { status: 'POWERED_OFF' });
    const res = await bare.request('POST', `${vmPath(vm.id)}/actions/powerOn`, { token: await bare.adminToken() });
    expect(res.status).toBe(503);
    expect((await json(res)).minorErrorCode).toBe('CLUSTER_UNAVAILABLE');
  });

  it('answers 400 for a malformed id', async () => {
    expect((await t.request('POST', '/cloudapi/1.0.0/vms/nope/actions/powerOn', { token: w.tokens.user })).status).toBe(400);
  });
});
