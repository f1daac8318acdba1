/**
 * Power actions → KubeVirt (docs/kubernetes.md "Power actions"): the subresource API when discovery
 * lists subresources.kubevirt.io, else a merge patch of spec.runStrategy; what each action sends,
 * as the simulator records it; which actions make sense from which status.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { startSimulator, type Simulator, PAUSE_ANNOTATION, RESTART_ANNOTATION, RESTART_GRACE_ANNOTATION, STOP_GRACE_ANNOTATION } from '#test/cluster/index.ts';
import { KubeApi } from '#lib/k8s/api.ts';
import { K8sMetrics } from '#lib/k8s/metrics.ts';
import { actionAllowed, detectPowerMode, POWER_ACTIONS, sendPowerAction, TARGET, type PowerAction } from '#lib/k8s/power.ts';

type Obj = Record<string, any>;
const NS = 'power';
const KV = { group: 'kubevirt.io', version: 'v1', namespace: NS } as const;

let full: Simulator;
let bare: Simulator;
let fullApi: KubeApi;
let bareApi: KubeApi;
let registry: Registry;
let vmCounter = 0;

async function setUp(sim: Simulator): Promise<void> {
  const api = new KubeApi(sim.kubeConfig(), { timeoutMs: 3_000 });
  await api.core.createNamespace({ body: { metadata: { name: NS } } });
}

beforeAll(async () => {
  [full, bare] = await Promise.all([startSimulator({ tls: true }), startSimulator({ tls: true, subresources: false })]);
  await Promise.all([setUp(full), setUp(bare)]);
});
afterAll(async () => {
  await Promise.all([full?.stop(), bare?.stop()]);
});
beforeEach(() => {
  full.faults.clear();
  registry = new Registry();
  const metrics = new K8sMetrics(registry);
  fullApi = new KubeApi(full.kubeConfig(), { timeoutMs: 3_000, metrics });
  bareApi = new KubeApi(bare.kubeConfig(), { timeoutMs: 3_000, metrics });
});

/** A VirtualMachine (and, when running, its VMI in phase Running, as KubeVirt would show it). */
async function vm(api: KubeApi, spec: Obj, running = false): Promise<string> {
  const name = `vm-${++vmCounter}`;
  await api.custom.createNamespacedCustomObject({ ...KV, plural: 'virtualmachines', body: { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name }, spec: { template: { spec: { domain: {} } }, ...spec } } });
  if (running) {
    const vmi = await api.custom.createNamespacedCustomObject({ ...KV, plural: 'virtualmachineinstances', body: { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', metadata: { name }, spec: { domain: {} } } }) as Obj;
    await api.custom.replaceNamespacedCustomObjectStatus({ ...KV, plural: 'virtualmachineinstances', name, body: { ...vmi, status: { phase: 'Running' } } });
  }
  return name;
}
const getVm = (api: KubeApi, name: string) => api.custom.getNamespacedCustomObject({ ...KV, plural: 'virtualmachines', name }) as Promise<Obj>;
const getVmi = (api: KubeApi, name: string) => api.custom.getNamespacedCustomObject({ ...KV, plural: 'virtualmachineinstances', name }) as Promise<Obj>;

async function calls(): Promise<{ verb?: string; resource?: string; outcome?: string; n: number }[]> {
  const m = await registry.getSingleMetric('ssvirt_kubernetes_calls_total')!.get();
  return m.values.map((v) => ({ ...(v.labels as Record<string, string>), n: v.value }));
}

describe('detectPowerMode', () => {
  it('chooses the subresource API when discovery lists subresources.kubevirt.io', async () => {
    expect(await detectPowerMode(fullApi)).toBe('subresources');
  });

  it('chooses the runStrategy fallback on a server with only the CRDs', async () => {
    expect(await detectPowerMode(bareApi)).toBe('runStrategy');
    // Where the subresource paths really are missing.
    const name = await vm(bareApi, { runStrategy: 'Halted' });
    await expect(bareApi.raw('update', 'virtualmachines/start', 'PUT', `/apis/subresources.kubevirt.io/v1/namespaces/${NS}/virtualmachines/${name}/start`, {}))
      .rejects.toMatchObject({ kind: 'notFound' });
  });

  it('fails rather than guess while the cluster is away', async () => {
    full.faults.inject({ outage: true });
    try {
      await expect(detectPowerMode(fullApi)).rejects.toMatchObject({ kind: 'unavailable' });
    } finally {
      full.faults.clear();
    }
  });
});

describe('sendPowerAction with the subresource API', () => {
  it('powerOn starts a stopped VM', async () => {
    const name = await vm(fullApi, { runStrategy: 'Halted' });
    await sendPowerAction(fullApi, 'subresources', NS, name, 'powerOn', 'POWERED_OFF');
    expect((await getVm(fullApi, name)).spec.runStrategy).toBe('Always');
    expect(await calls()).toEqual([{ verb: 'update', resource: 'virtualmachines/start', outcome: 'success', n: 1 }]);
  });

  it('suspend pauses the VMI, and powerOn of a suspended VM unpauses it', async () => {
    const name = await vm(fullApi, { runStrategy: 'Always' }, true);
    await sendPowerAction(fullApi, 'subresources', NS, name, 'suspend', 'POWERED_ON');
    expect((await getVmi(fullApi, name)).metadata.annotations?.[PAUSE_ANNOTATION]).toBe('true');
    await sendPowerAction(fullApi, 'subresources', NS, name, 'powerOn', 'SUSPENDED');
    expect((await getVmi(fullApi, name)).metadata.annotations?.[PAUSE_ANNOTATION]).toBeUndefined();
    expect((await calls()).map((c) => c.resource)).toEqual(['virtualmachineinstances/pause', 'virtualmachineinstances/unpause']);
  });

  it('powerOff stops at once (gracePeriod 0), shutdown stops gracefully', async () => {
    const hard = await vm(fullApi, { runStrategy: 'Always' }, true);
    await sendPowerAction(fullApi, 'subresources', NS, hard, 'powerOff', 'POWERED_ON');
    const h = await getVm(fullApi, hard);
    expect(h.spec.runStrategy).toBe('Halted');
    expect(h.metadata.annotations?.[STOP_GRACE_ANNOTATION]).toBe('0');

    const soft = await vm(fullApi, { runStrategy: 'Always' }, true);
    await sendPowerAction(fullApi, 'subresources', NS, soft, 'shutdown', 'POWERED_ON');
    const s = await getVm(fullApi, soft);
    expect(s.spec.runStrategy).toBe('Halted');
    expect(s.metadata.annotations?.[STOP_GRACE_ANNOTATION]).toBeUndefined();
  });

  it('reboot restarts gracefully, reset restarts at once (gracePeriodSeconds 0)', async () => {
    const soft = await vm(fullApi, { runStrategy: 'Always' }, true);
    await sendPowerAction(fullApi, 'subresources', NS, soft, 'reboot', 'POWERED_ON');
    const s = await getVm(fullApi, soft);
    expect(s.metadata.annotations?.[RESTART_ANNOTATION]).toBeTruthy();
    expect(s.metadata.annotations?.[RESTART_GRACE_ANNOTATION]).toBeUndefined();
    expect(s.spec.runStrategy).toBe('Always');

    const hard = await vm(fullApi, { runStrategy: 'Always' }, true);
    await sendPowerAction(fullApi, 'subresources', NS, hard, 'reset', 'POWERED_ON');
    const h = await getVm(fullApi, hard);
    expect(h.metadata.annotations?.[RESTART_ANNOTATION]).toBeTruthy();
    expect(h.metadata.annotations?.[RESTART_GRACE_ANNOTATION]).toBe('0');
  });

  it("passes KubeVirt's refusals on as classified errors", async () => {
    const halted = await vm(fullApi, { runStrategy: 'Halted' });
    await expect(sendPowerAction(fullApi, 'subresources', NS, halted, 'powerOff', 'POWERED_ON'))
      .rejects.toMatchObject({ kind: 'conflict', status: 409, message: expect.stringContaining('VM is not running') });
    await expect(sendPowerAction(fullApi, 'subresources', NS, 'absent', 'powerOn', 'POWERED_OFF')).rejects.toMatchObject({ kind: 'notFound' });
    full.faults.inject({ verb: 'update', status: 503, times: 1 });
    await expect(sendPowerAction(fullApi, 'subresources', NS, halted, 'powerOn', 'POWERED_OFF')).rejects.toMatchObject({ kind: 'unavailable', status: 503 });
  });
});

describe('sendPowerAction with the runStrategy fallback', () => {
  it('powerOn sets runStrategy Always and drops the old `running` field', async () => {
    const name = await vm(bareApi, { running: false });
    await sendPowerAction(bareApi, 'runStrategy', NS, name, 'powerOn', 'POWERED_OFF');
    const v = await getVm(bareApi, name);
    expect(v.spec.runStrategy).toBe('Always');
    expect(v.spec).not.toHaveProperty('running');
    // A merge patch, not a discovery per call.
    expect(await calls()).toEqual([{ verb: 'patch', resource: 'virtualmachines', outcome: 'success', n: 1 }]);
  });

  it.each(['powerOff', 'shutdown'] as const)('%s sets runStrategy Halted', async (action) => {
    const name = await vm(bareApi, { runStrategy: 'Always' });
    await sendPowerAction(bareApi, 'runStrategy', NS, name, action, 'POWERED_ON');
    expect((await getVm(bareApi, name)).spec.runStrategy).toBe('Halted');
  });

  it.each(['reboot', 'reset'] as const)('%s stops and starts again (two spec changes, running at the end)', async (action) => {
    const name = await vm(bareApi, { runStrategy: 'Always' });
    const before = await getVm(bareApi, name);
    const sent = await sendPowerAction(bareApi, 'runStrategy', NS, name, action, 'POWERED_ON');
    expect(await sent.rest).toBeUndefined();
    const after = await getVm(bareApi, name);
    expect(after.spec.runStrategy).toBe('Always');
    expect(after.metadata.generation).toBe(before.metadata.generation + 2);
  });

  it('refuses suspend, which needs the subresource API, and changes nothing', async () => {
    const name = await vm(bareApi, { runStrategy: 'Always' });
    const before = await getVm(bareApi, name);
    const err = await sendPowerAction(bareApi, 'runStrategy', NS, name, 'suspend', 'POWERED_ON').then(() => undefined, (e: unknown) => e);
    expect(err).toMatchObject({ unsupported: true, message: expect.stringContaining('subresource API') });
    expect((await getVm(bareApi, name)).metadata.resourceVersion).toBe(before.metadata.resourceVersion);
  });

  it('reports a missing VM as notFound', async () => {
    await expect(sendPowerAction(bareApi, 'runStrategy', NS, 'absent', 'powerOn', 'POWERED_OFF')).rejects.toMatchObject({ kind: 'notFound' });
  });
});

describe('actionAllowed and TARGET', () => {
  const allowed: Record<PowerAction, string[]> = {
    powerOn: ['POWERED_OFF', 'SUSPENDED', 'FAILED', 'UNKNOWN'],
    powerOff: ['POWERED_ON', 'POWERING_ON', 'SUSPENDED', 'FAILED', 'UNKNOWN'],
    shutdown: ['POWERED_ON', 'POWERING_ON', 'UNKNOWN'],
    reboot: ['POWERED_ON'],
    reset: ['POWERED_ON', 'SUSPENDED', 'FAILED'],
    suspend: ['POWERED_ON'],
  };
  const statuses = ['POWERED_ON', 'POWERED_OFF', 'POWERING_ON', 'POWERING_OFF', 'SUSPENDED', 'FAILED', 'DELETING', 'UNKNOWN'];

  it('allows each action only from the statuses where it makes sense, naming the status otherwise', () => {
    for (const action of POWER_ACTIONS) {
      for (const s of statuses) {
        const msg = actionAllowed(action, s);
        if (allowed[action].includes(s)) expect(msg, `${action} from ${s}`).toBeUndefined();
        else expect(msg, `${action} from ${s}`).toBe(`cannot ${action} a VM whose status is ${s}`);
      }
    }
    // Never power off a VM that is already off (docs/kubernetes.md "Power actions").
    expect(actionAllowed('powerOff', 'POWERED_OFF')).toMatch(/POWERED_OFF/);
  });

  it('names the status each action ends in', () => {
    expect(TARGET).toEqual({ powerOn: 'POWERED_ON', powerOff: 'POWERED_OFF', shutdown: 'POWERED_OFF', reboot: 'POWERED_ON', reset: 'POWERED_ON', suspend: 'SUSPENDED' });
  });
});

describe('runStrategy reboot against the simulated KubeVirt controller (no virt-api)', () => {
  it.each(['reboot', 'reset'] as const)('%s really restarts: the VMI goes and a new one (new uid) runs', async (action) => {
    const { startControllers } = await import('#test/cluster/controllers/index.ts');
    const { until } = await import('#test/support/wait.ts');
    const controllers = await startControllers(bare.kubeConfig(), { stepDelayMs: 10 });
    try {
      const name = await vm(bareApi, { runStrategy: 'Always' });
      await until('the first VMI runs', async () => (await getVmi(bareApi, name).catch(() => undefined))?.status?.phase === 'Running', { timeoutMs: 10_000 });
      const oldUid = (await getVmi(bareApi, name)).metadata.uid;
      const sent = await sendPowerAction(bareApi, 'runStrategy', NS, name, action, 'POWERED_ON', { pollMs: 20, vmiGoneTimeoutMs: 10_000 });
      expect(await sent.rest).toBeUndefined();
      // Always was written only after the old VMI was gone.
      expect((await getVm(bareApi, name)).spec.runStrategy).toBe('Always');
      await until('a new VMI runs', async () => {
        const v = await getVmi(bareApi, name).catch(() => undefined);
        return v?.status?.phase === 'Running' && v.metadata.uid !== oldUid;
      }, { timeoutMs: 10_000 });
    } finally {
      await controllers.stop();
    }
  });
});
