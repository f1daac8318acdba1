/**
 * subresources.kubevirt.io: what start/stop/restart/pause/unpause record on the objects, their
 * status codes, and the `subresources: false` switch that leaves the group out like a bare
 * kube-apiserver with only the CRDs.
 */
import { CustomObjectsApi } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAUSE_ANNOTATION, RESTART_ANNOTATION, startSimulator, STOP_GRACE_ANNOTATION, type Simulator } from '../index.ts';

let sim: Simulator;
let crd: CustomObjectsApi;
const KV = { group: 'kubevirt.io', version: 'v1', namespace: 'kv' };

const put = (s: Simulator, p: string, body: unknown = {}) => fetch(`${s.url}/apis/subresources.kubevirt.io/v1/namespaces/kv/${p}`, {
  method: 'PUT', headers: { Authorization: `Bearer ${s.token}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body),
});
const get = (s: Simulator, p: string) => fetch(`${s.url}${p}`, { headers: { Authorization: `Bearer ${s.token}` } });

beforeAll(async () => {
  sim = await startSimulator();
  crd = sim.kubeConfig().makeApiClient(CustomObjectsApi);
  await fetch(`${sim.url}/api/v1/namespaces`, { method: 'POST', headers: { Authorization: `Bearer ${sim.token}`, 'Content-Type': 'application/json' }, body: '{"metadata":{"name":"kv"}}' });
  await crd.createNamespacedCustomObject({ ...KV, plural: 'virtualmachines', body: { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name: 'vm' }, spec: { runStrategy: 'Halted', template: { spec: {} } } } });
});
afterAll(async () => { await sim?.stop(); });

const readVm = () => crd.getNamespacedCustomObject({ ...KV, plural: 'virtualmachines', name: 'vm' }) as Promise<any>;

describe('KubeVirt subresources', () => {
  it('start and stop set spec.runStrategy; nonsense actions answer 409', async () => {
    expect((await put(sim, 'virtualmachines/vm/stop')).status).toBe(409);
    expect((await put(sim, 'virtualmachines/vm/start')).status).toBe(202);
    expect((await readVm()).spec.runStrategy).toBe('Always');
    // No VMI yet (no controller here), so restart has nothing to restart.
    expect((await put(sim, 'virtualmachines/vm/restart')).status).toBe(409);
    expect((await put(sim, 'virtualmachines/vm/stop', { gracePeriod: 0 })).status).toBe(202);
    const vm = await readVm();
    expect(vm.spec.runStrategy).toBe('Halted');
    expect(vm.metadata.annotations[STOP_GRACE_ANNOTATION]).toBe('0');
    expect((await put(sim, 'virtualmachines/missing/start')).status).toBe(404);
  });

  it('restart and pause/unpause record their requests as annotations', async () => {
    await put(sim, 'virtualmachines/vm/start');
    // Play the KubeVirt controller: a running VMI.
    await crd.createNamespacedCustomObject({ ...KV, plural: 'virtualmachineinstances', body: { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', metadata: { name: 'vm' }, spec: { domain: {} } } });
    await crd.patchNamespacedCustomObjectStatus({ ...KV, plural: 'virtualmachineinstances', name: 'vm', body: [{ op: 'add', path: '/status', value: { phase: 'Running' } }] });
    expect((await put(sim, 'virtualmachines/vm/start')).status).toBe(409);
    expect((await put(sim, 'virtualmachines/vm/restart', { gracePeriodSeconds: 0 })).status).toBe(202);
    const first = (await readVm()).metadata.annotations[RESTART_ANNOTATION];
    expect(first).toBeTruthy();
    await put(sim, 'virtualmachines/vm/restart');
    expect((await readVm()).metadata.annotations[RESTART_ANNOTATION]).not.toBe(first);

    expect((await put(sim, 'virtualmachineinstances/vm/unpause')).status).toBe(409);
    expect((await put(sim, 'virtualmachineinstances/vm/pause')).status).toBe(200);
    const vmi: any = await crd.getNamespacedCustomObject({ ...KV, plural: 'virtualmachineinstances', name: 'vm' });
    expect(vmi.metadata.annotations[PAUSE_ANNOTATION]).toBe('true');
    expect((await put(sim, 'virtualmachineinstances/vm/pause')).status).toBe(409);
    expect((await put(sim, 'virtualmachineinstances/vm/unpause')).status).toBe(200);
    const vmi2: any = await crd.getNamespacedCustomObject({ ...KV, plural: 'virtualmachineinstances', name: 'vm' });
    expect(vmi2.metadata.annotations?.[PAUSE_ANNOTATION]).toBeUndefined();
  });

  it('discovery lists the group; an unknown subresource of the CRD is a 404 for the object', async () => {
    const groups = await (await get(sim, '/apis')).json() as { groups: { name: string }[] };
    expect(groups.groups.map((g) => g.name)).toContain('subresources.kubevirt.io');
    const res = await (await get(sim, '/apis/subresources.kubevirt.io/v1')).json() as { resources: { name: string }[] };
    expect(res.resources.map((r) => r.name)).toEqual(expect.arrayContaining(['virtualmachines/start', 'virtualmachineinstances/pause']));
    const r = await fetch(`${sim.url}/apis/kubevirt.io/v1/namespaces/kv/virtualmachines/vm/start`, { method: 'PUT', headers: { Authorization: `Bearer ${sim.token}` }, body: '{}' });
    expect(r.status).toBe(404);
    expect(await r.json()).toMatchObject({ reason: 'NotFound', message: 'virtualmachines.kubevirt.io "vm" not found' });
  });

  it('with subresources: false the group is missing from discovery and its paths answer 404', async () => {
    const bare = await startSimulator({ subresources: false });
    try {
      const groups = await (await get(bare, '/apis')).json() as { groups: { name: string }[] };
      expect(groups.groups.map((g) => g.name)).not.toContain('subresources.kubevirt.io');
      expect((await get(bare, '/apis/subresources.kubevirt.io/v1')).status).toBe(404);
      expect((await put(bare, 'virtualmachines/vm/start')).status).toBe(404);
    } finally {
      await bare.stop();
    }
  });
});
