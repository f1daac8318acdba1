/**
 * Starting a power action on a cluster without virt-api (the runStrategy fallback): a reboot
 * answers 202 once its first step (runStrategy Halted) is accepted, not after the old VMI has gone
 * and the VM was started again; a later step that fails ends the task in error with the reason.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { startTestCluster, type TestCluster } from '#test/support/cluster.ts';
import { json } from '#test/support/app.ts';
import { instantiateOk, vmPath, vappWorld, waitFor, waitTask, type ClusterApp, type VappWorld } from '#test/support/vapp-world.ts';

let cluster: TestCluster;
let t: ClusterApp;
let w: VappWorld;

beforeAll(async () => {
  // A step delay long enough that the old VMI is still there when the 202 is sent.
  cluster = await startTestCluster({ subresources: false, stepDelayMs: 300 });
  t = await cluster.app();
  w = await vappWorld(t);
}, 30_000);
afterAll(() => cluster.stop());

const get = async (id: string) => json(await t.request('GET', vmPath(id), { token: w.tokens.user }));
const act = (id: string, action: string) => t.request('POST', `${vmPath(id)}/actions/${action}`, { token: w.tokens.user });

/** A new vApp's VM, powered on and running. */
async function runningVm(): Promise<any> {
  const v = await instantiateOk(t, w.tokens.user, w.vdc.id, { name: `vm-${randomUUID().slice(0, 6)}` });
  const vm = await waitFor(async () => {
    const got = await json(await t.request('GET', `/cloudapi/1.0.0/vapps/${encodeURIComponent(v.id)}`, { token: w.tokens.user }));
    return got.vms[0]?.kubernetes.printableStatus === 'Stopped' ? got.vms[0] : undefined;
  }, 'VM Stopped', 20_000);
  const on = await act(vm.id, 'powerOn');
  expect(on.status).toBe(202);
  expect((await waitTask(t, w.tokens.user, on.headers.get('location')!, 20_000)).status).toBe('success');
  return vm;
}

/** The VMI's uid, read through the API with the admin token (undefined when there is none). */
async function vmiUid(name: string): Promise<string | undefined> {
  const api = cluster.sim.kubeConfig().makeApiClient(CustomObjectsApi);
  const got = await api.getNamespacedCustomObject({ group: 'kubevirt.io', version: 'v1', namespace: w.vdc.namespace, plural: 'virtualmachineinstances', name })
    .catch(() => undefined) as { metadata?: { uid?: string } } | undefined;
  return got?.metadata?.uid;
}

describe('startPower with the runStrategy fallback', () => {
  it('answers a reboot at once with a running task while the old VMI still exists, then succeeds', async () => {
    const vm = await runningVm();
    const name = vm.kubernetes?.name ?? vm.name;
    const oldUid = await vmiUid(name);
    expect(oldUid).toBeTruthy();
    const res = await act(vm.id, 'reboot');
    const task = await json(res);
    expect(res.status, JSON.stringify(task)).toBe(202);
    expect(task.status).toBe('running');
    // The answer did not wait for the VMI to go (that takes a Stopping step of the controller).
    expect(await vmiUid(name)).toBe(oldUid);
    const done = await waitTask(t, w.tokens.user, res.headers.get('location')!, 20_000);
    expect(done.status, JSON.stringify(done)).toBe('success');
    expect(await vmiUid(name)).not.toBe(oldUid);
    expect((await get(vm.id)).status).toBe('POWERED_ON');
  }, 60_000);

  it('ends the task in error, naming the cause, when starting the VM again fails', async () => {
    const vm = await runningVm();
    const res = await act(vm.id, 'reboot');
    expect(res.status).toBe(202);
    // The Halted patch is done; the Always patch, sent once the VMI is gone, is refused.
    const fault = cluster.sim.faults.inject({ verb: 'patch', resource: 'virtualmachines', status: 403 });
    try {
      const done = await waitTask(t, w.tokens.user, res.headers.get('location')!, 20_000);
      expect(done.status, JSON.stringify(done)).toBe('error');
      expect(JSON.stringify(done)).toMatch(/forbidden/i);
    } finally {
      cluster.sim.faults.clear(fault);
    }
  }, 60_000);
});
