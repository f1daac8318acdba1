/**
 * The simulated KubeVirt controller, driven only through @kubernetes/client-node (and the KubeVirt
 * subresources, or their recorded form where the server lacks them): against a fresh simulator, and
 * again against SSVIRT_TEST_KUBECONFIG's API server when it is set.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as simulator from '../index.ts';
import { FAIL_ANNOTATION, FAIL_MESSAGE_ANNOTATION } from './index.ts';
import * as controller from './kubevirt.ts';
import {
  getVm,
  getVmi,
  kv,
  mergePatch,
  power,
  REAL_KUBECONFIG,
  realCluster,
  realSuiteTitle,
  recordStatuses,
  simulatorCluster,
  waitFor,
  waitForVmStatus,
  type TestCluster,
} from './test-support.ts';

function vmBody(name: string, spec: Record<string, unknown>, annotations?: Record<string, string>) {
  return {
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachine',
    metadata: { name, labels: { app: name }, ...(annotations ? { annotations } : {}) },
    spec: {
      ...spec,
      template: {
        metadata: { labels: { 'kubevirt.io/domain': name }, annotations: { 'vm.kubevirt.io/os': 'rhel9' } },
        spec: {
          domain: {
            cpu: { sockets: 2, cores: 2, threads: 1 },
            memory: { guest: '4Gi' },
            devices: { interfaces: [{ name: 'default', masquerade: {} }] },
          },
          networks: [{ name: 'default', pod: {} }],
        },
      },
    },
  };
}

function suite(connect: () => Promise<TestCluster>) {
  let c: TestCluster;
  let ns: string;
  beforeAll(async () => {
    c = await connect();
    ns = await c.namespace('kv');
  });
  afterAll(async () => {
    await c?.stop();
  });

  const createVm = (name: string, spec: Record<string, unknown>, annotations?: Record<string, string>) =>
    c.custom.createNamespacedCustomObject({ ...kv('virtualmachines', ns), body: vmBody(name, spec, annotations) });
  const patchVm = (name: string, body: unknown) =>
    c.custom.patchNamespacedCustomObject({ ...kv('virtualmachines', ns), name, body }, mergePatch);
  const cdi = (plural: string, namespace: string) => ({ group: 'cdi.kubevirt.io', version: 'v1beta1', plural, namespace });
  /** A DataSource (as OpenShift Virtualization's golden images), Ready or not. */
  async function dataSource(namespace: string, name: string, ready?: boolean): Promise<void> {
    const body = { apiVersion: 'cdi.kubevirt.io/v1beta1', kind: 'DataSource', metadata: { name }, spec: { source: { pvc: { namespace, name: `${name}-golden` } } } };
    await c.custom.createNamespacedCustomObject({ ...cdi('datasources', namespace), body }).catch((e) => {
      if (e.code !== 409) throw e;
    });
    if (ready !== undefined) await setDataSourceReady(namespace, name, ready);
  }
  async function setDataSourceReady(namespace: string, name: string, ready: boolean): Promise<void> {
    const condition = ready
      ? { type: 'Ready', status: 'True', reason: 'Ready', message: '' }
      : { type: 'Ready', status: 'False', reason: 'NotFound', message: 'source PVC not found' };
    await c.custom.patchNamespacedCustomObjectStatus(
      { ...cdi('datasources', namespace), name, body: { status: { conditions: [{ ...condition, lastTransitionTime: new Date().toISOString() }] } } },
      mergePatch,
    );
  }
  const getDv = (name: string) => c.custom.getNamespacedCustomObject({ ...cdi('datavolumes', ns), name }) as Promise<any>;

  it('keeps a Halted VM Stopped, then runs it through Starting to Running with a VMI when runStrategy becomes Always', async () => {
    await createVm('alpha', { runStrategy: 'Halted' });
    const stopped = await waitForVmStatus(c, ns, 'alpha', 'Stopped');
    expect(stopped.status.ready).toBeUndefined();
    expect(stopped.status.created).toBeUndefined();
    expect(stopped.status.conditions).toEqual([expect.objectContaining({ type: 'Ready', status: 'False', reason: 'VMINotExists' })]);
    expect(await getVmi(c, ns, 'alpha')).toBeUndefined();

    const rec = await recordStatuses(c.kc, ns, 'alpha');
    await patchVm('alpha', { spec: { runStrategy: 'Always' } });
    const running = await waitForVmStatus(c, ns, 'alpha', 'Running');
    await rec.stop('Running');
    expect(rec.seen).toEqual(expect.arrayContaining(['Starting', 'Running']));
    expect(rec.seen.indexOf('Starting')).toBeLessThan(rec.seen.indexOf('Running'));
    expect(running.status).toMatchObject({ ready: true, created: true, runStrategy: 'Always' });
    expect(running.status.conditions).toContainEqual(expect.objectContaining({ type: 'Ready', status: 'True' }));

    const vmi = await getVmi(c, ns, 'alpha');
    expect(vmi.metadata.ownerReferences).toEqual([
      expect.objectContaining({ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', name: 'alpha', uid: running.metadata.uid, controller: true }),
    ]);
    expect(vmi.metadata.labels).toMatchObject({ 'kubevirt.io/vm': 'alpha', 'kubevirt.io/domain': 'alpha', 'kubevirt.io/nodeName': 'sim-node-1' });
    expect(vmi.status.phase).toBe('Running');
    expect(vmi.status.interfaces).toEqual([
      expect.objectContaining({ name: 'default', ipAddress: expect.stringMatching(/^10\.128\.\d+\.\d+$/), mac: expect.any(String) }),
    ]);
    expect(vmi.status.interfaces[0].ipAddresses).toEqual([vmi.status.interfaces[0].ipAddress]);
    expect(vmi.status.currentCPUTopology).toEqual({ sockets: 2, cores: 2, threads: 1 });
    expect(vmi.status.memory.guestCurrent).toBe('4Gi');
    expect(vmi.status.guestOSInfo).toMatchObject({ id: 'rhel', name: 'Red Hat Enterprise Linux' });
  });

  it('stops a running VM through Stopping to Stopped and deletes its VMI when runStrategy becomes Halted', async () => {
    await createVm('beta', { runStrategy: 'Always' });
    await waitForVmStatus(c, ns, 'beta', 'Running');
    const rec = await recordStatuses(c.kc, ns, 'beta');
    await patchVm('beta', { spec: { runStrategy: 'Halted' } });
    await waitForVmStatus(c, ns, 'beta', 'Stopped');
    await rec.stop('Stopped');
    expect(rec.seen).toEqual(['Running', 'Stopping', 'Stopped']);
    expect(await getVmi(c, ns, 'beta')).toBeUndefined();
  });

  it('goes through Provisioning first for a VM with dataVolumeTemplates, creating its DataVolume as KubeVirt does', async () => {
    await dataSource(ns, 'fedora', true);
    const rec = await recordStatuses(c.kc, ns, 'gamma');
    const vm: any = await createVm('gamma', {
      runStrategy: 'Always',
      dataVolumeTemplates: [{ metadata: { name: 'gamma-root', labels: { disk: 'root' } }, spec: { sourceRef: { kind: 'DataSource', name: 'fedora' } } }],
    });
    await waitForVmStatus(c, ns, 'gamma', 'Running');
    await rec.stop('Running');
    expect(rec.seen).toEqual(['Provisioning', 'Starting', 'Running']);
    const dv = await getDv('gamma-root');
    expect(dv.metadata.ownerReferences).toEqual([
      expect.objectContaining({ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', name: 'gamma', uid: vm.metadata.uid, controller: true, blockOwnerDeletion: true }),
    ]);
    expect(dv.metadata.labels).toEqual({ disk: 'root', 'kubevirt.io/created-by': vm.metadata.uid });
    expect(dv.spec.sourceRef).toEqual({ kind: 'DataSource', name: 'fedora' });
    expect(dv.status).toMatchObject({ phase: 'Succeeded', progress: '100.0%' });
  });

  it('keeps a VM Provisioning while its DataSource is missing or not Ready, naming it, and goes on once it is Ready', async () => {
    const imagesNs = await c.namespace('os-images');
    const template = { metadata: { name: 'omega-root' }, spec: { sourceRef: { kind: 'DataSource', name: 'rhel9', namespace: imagesNs }, storage: {} } };
    await createVm('omega', { runStrategy: 'Halted', dataVolumeTemplates: [template] });
    await createVm('omicron', { runStrategy: 'Always', dataVolumeTemplates: [{ ...template, metadata: { name: 'omicron-root' } }] });
    const dvCondition = (vm: any) => vm.status?.conditions?.find((x: any) => x.type === 'DataVolumesReady');
    const missing = await waitFor('omega to report the missing DataSource', async () => {
      const vm = await getVm(c, ns, 'omega');
      return dvCondition(vm)?.message?.includes('does not exist') ? vm : undefined;
    });
    expect(missing.status.printableStatus).toBe('Provisioning');
    expect(dvCondition(missing)).toMatchObject({
      status: 'False',
      reason: 'NotAllDVsReady',
      message: `DataVolume omega-root is Pending: DataSource ${imagesNs}/rhel9 does not exist`,
    });
    expect((await getDv('omega-root')).status.phase).toBe('Pending');

    await dataSource(imagesNs, 'rhel9', false);
    const unready = await waitFor('omega to report the unready DataSource', async () => {
      const vm = await getVm(c, ns, 'omega');
      // The DataSource is created first, then given its Ready=False condition: wait for the latter.
      return dvCondition(vm)?.message?.includes('source PVC not found') ? vm : undefined;
    });
    expect(unready.status.printableStatus).toBe('Provisioning');
    expect(dvCondition(unready).message).toBe(`DataVolume omega-root is Pending: DataSource ${imagesNs}/rhel9 is not ready: source PVC not found`);
    // Still waiting: neither VM has started, though omicron's run strategy says Always.
    expect(await getVmi(c, ns, 'omicron')).toBeUndefined();
    expect((await getVm(c, ns, 'omicron')).status.printableStatus).toBe('Provisioning');

    await setDataSourceReady(imagesNs, 'rhel9', true);
    const stopped = await waitForVmStatus(c, ns, 'omega', 'Stopped');
    expect(dvCondition(stopped)).toBeUndefined();
    expect((await getDv('omega-root')).status.phase).toBe('Succeeded');
    await waitForVmStatus(c, ns, 'omicron', 'Running');
  });

  it('keeps a registry-sourced DataVolume to one Provisioning pass, whatever the run strategy', async () => {
    const rec = await recordStatuses(c.kc, ns, 'rho');
    await createVm('rho', { runStrategy: 'Halted', dataVolumeTemplates: [{ metadata: { name: 'rho-root' }, spec: { source: { registry: { url: 'docker://quay.io/containerdisks/fedora:40' } } } }] });
    await waitForVmStatus(c, ns, 'rho', 'Stopped');
    await rec.stop('Stopped');
    expect(rec.seen).toEqual(['Provisioning', 'Stopped']);
    expect((await getDv('rho-root')).status.phase).toBe('Succeeded');
  });

  it('is level-triggered: Halted then Always, both before the controller acts, leave the running VMI alone', async () => {
    await createVm('sigma', { runStrategy: 'Always' });
    await waitForVmStatus(c, ns, 'sigma', 'Running');
    const vmi = await getVmi(c, ns, 'sigma');
    const rec = await recordStatuses(c.kc, ns, 'sigma');
    // The controller is down while both patches land, so it can only ever see the latest state.
    await c.stopControllers();
    try {
      await patchVm('sigma', { spec: { runStrategy: 'Halted' } });
      await patchVm('sigma', { spec: { runStrategy: 'Always' } });
    } finally {
      await c.startControllers();
    }
    // A VM created afterwards has been reconciled through to Running, so sigma has been looked at too.
    await createVm('sigma-probe', { runStrategy: 'Always' });
    await waitForVmStatus(c, ns, 'sigma-probe', 'Running');
    await rec.stop();
    expect(rec.seen).toEqual(['Running']);
    expect((await getVmi(c, ns, 'sigma')).metadata.uid).toBe(vmi.metadata.uid);

    // Halted seen on its own does stop it; Always afterwards starts a new VMI.
    await patchVm('sigma', { spec: { runStrategy: 'Halted' } });
    await waitFor('the VMI of a halted VM to go', async () => (await getVmi(c, ns, 'sigma')) === undefined);
    await patchVm('sigma', { spec: { runStrategy: 'Always' } });
    await waitForVmStatus(c, ns, 'sigma', 'Running');
    expect((await getVmi(c, ns, 'sigma')).metadata.uid).not.toBe(vmi.metadata.uid);
  });

  it('is level-triggered while busy: Halted then Always arriving during a reconcile of the VM leave its VMI alone', async (ctx) => {
    if (!c.faults) return ctx.skip();
    const registry = { source: { registry: { url: 'docker://quay.io/containerdisks/fedora:40' } } };
    await createVm('tau', { runStrategy: 'Always', dataVolumeTemplates: [{ metadata: { name: 'tau-root' }, spec: registry }] });
    await waitForVmStatus(c, ns, 'tau', 'Running');
    const vmi = await getVmi(c, ns, 'tau');
    const rec = await recordStatuses(c.kc, ns, 'tau');
    // Deleting the DataVolume has the controller recreate it; that create is held for a while, so the
    // reconcile of tau is still running when both patches arrive.
    const hold = c.faults.inject({ verb: 'create', resource: 'datavolumes', latencyMs: 1500, times: 1 });
    await c.custom.deleteNamespacedCustomObject({ group: 'cdi.kubevirt.io', version: 'v1beta1', plural: 'datavolumes', namespace: ns, name: 'tau-root' });
    await waitFor('the DataVolume create to be held', async () => !c.faults!.list().some((r: any) => r.id === hold));
    await patchVm('tau', { spec: { runStrategy: 'Halted' } });
    await patchVm('tau', { spec: { runStrategy: 'Always' } });
    // Not acted on yet: the held create has not even been stored.
    await expect(getDv('tau-root')).rejects.toMatchObject({ code: 404 });
    await waitFor('the DataVolume to be recreated', async () => (await getDv('tau-root'))?.status?.phase === 'Succeeded');
    await createVm('tau-probe', { runStrategy: 'Always' });
    await waitForVmStatus(c, ns, 'tau-probe', 'Running');
    await rec.stop();
    expect(rec.seen).toEqual(['Running']);
    expect((await getVmi(c, ns, 'tau')).metadata.uid).toBe(vmi.metadata.uid);
  });

  it('follows the legacy spec.running field', async () => {
    await createVm('delta', { running: true });
    await waitForVmStatus(c, ns, 'delta', 'Running');
    await patchVm('delta', { spec: { running: false } });
    await waitForVmStatus(c, ns, 'delta', 'Stopped');
    expect((await getVm(c, ns, 'delta')).status.runStrategy).toBe('Halted');
  });

  it('answers start, pause, unpause, restart and stop power calls', async () => {
    await createVm('eps', { runStrategy: 'Halted' });
    await waitForVmStatus(c, ns, 'eps', 'Stopped');

    expect(await power(c, ns, 'eps', 'start')).toBe(202);
    await waitForVmStatus(c, ns, 'eps', 'Running');
    const firstVmi = await getVmi(c, ns, 'eps');

    expect(await power(c, ns, 'eps', 'pause')).toBe(200);
    const paused = await waitForVmStatus(c, ns, 'eps', 'Paused');
    expect(paused.status.conditions).toContainEqual(expect.objectContaining({ type: 'Paused', status: 'True', reason: 'PausedByUser' }));
    const pausedVmi = await getVmi(c, ns, 'eps');
    expect(pausedVmi.status.phase).toBe('Running');
    expect(pausedVmi.status.conditions).toContainEqual(expect.objectContaining({ type: 'Paused', status: 'True' }));

    expect(await power(c, ns, 'eps', 'unpause')).toBe(200);
    const resumed = await waitForVmStatus(c, ns, 'eps', 'Running');
    expect(resumed.status.conditions.some((x: any) => x.type === 'Paused')).toBe(false);

    const rec = await recordStatuses(c.kc, ns, 'eps');
    expect(await power(c, ns, 'eps', 'restart')).toBe(202);
    await waitFor('a new VMI after restart', async () => {
      const vmi = await getVmi(c, ns, 'eps');
      return vmi && vmi.metadata.uid !== firstVmi.metadata.uid && vmi.status?.phase === 'Running';
    });
    await waitForVmStatus(c, ns, 'eps', 'Running');
    await rec.stop('Running');
    expect(rec.seen).toEqual(['Running', 'Stopping', 'Starting', 'Running']);
    const afterRestart = await getVm(c, ns, 'eps');
    expect(afterRestart.status.stateChangeRequests).toBeUndefined();
    expect(afterRestart.metadata.annotations?.['sim.ssvirt.io/restart-requested']).toBeUndefined();

    expect(await power(c, ns, 'eps', 'stop', { gracePeriod: 0 })).toBe(202);
    await waitForVmStatus(c, ns, 'eps', 'Stopped');
    expect(await getVmi(c, ns, 'eps')).toBeUndefined();
    expect((await getVm(c, ns, 'eps')).spec.runStrategy).toBe('Halted');
  });

  it('starts and stops a Manual VM through stateChangeRequests', async () => {
    await createVm('zeta', { runStrategy: 'Manual' });
    await waitForVmStatus(c, ns, 'zeta', 'Stopped');
    await c.custom.patchNamespacedCustomObjectStatus(
      { ...kv('virtualmachines', ns), name: 'zeta', body: { status: { stateChangeRequests: [{ action: 'Start' }] } } },
      mergePatch,
    );
    const running = await waitForVmStatus(c, ns, 'zeta', 'Running');
    expect(running.status.stateChangeRequests).toBeUndefined();
    const vmi = await getVmi(c, ns, 'zeta');
    await c.custom.patchNamespacedCustomObjectStatus(
      { ...kv('virtualmachines', ns), name: 'zeta', body: { status: { stateChangeRequests: [{ action: 'Stop', uid: vmi.metadata.uid }] } } },
      mergePatch,
    );
    await waitForVmStatus(c, ns, 'zeta', 'Stopped');
    expect(await getVmi(c, ns, 'zeta')).toBeUndefined();
  });

  it('makes a VM fail with ErrorUnschedulable on start when annotated, and recovers when the annotation goes', async () => {
    await createVm('eta', { runStrategy: 'Always' }, { [FAIL_ANNOTATION]: 'ErrorUnschedulable' });
    const failed = await waitForVmStatus(c, ns, 'eta', 'ErrorUnschedulable');
    expect(failed.status.conditions).toContainEqual(
      expect.objectContaining({ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: expect.stringContaining('Insufficient memory') }),
    );
    expect((await getVmi(c, ns, 'eta')).status.phase).toBe('Scheduling');
    await patchVm('eta', { metadata: { annotations: { [FAIL_ANNOTATION]: null } } });
    await waitForVmStatus(c, ns, 'eta', 'Running');
  });

  it('makes a VM with dataVolumeTemplates fail with DataVolumeError when annotated, whatever its run strategy', async () => {
    await createVm(
      'theta',
      { runStrategy: 'Halted', dataVolumeTemplates: [{ metadata: { name: 'theta-root' }, spec: {} }] },
      { [FAIL_ANNOTATION]: 'DataVolumeError', [FAIL_MESSAGE_ANNOTATION]: 'import failed: 404' },
    );
    const failed = await waitForVmStatus(c, ns, 'theta', 'DataVolumeError');
    expect(failed.status.conditions).toContainEqual(
      expect.objectContaining({ type: 'DataVolumesReady', status: 'False', reason: 'DataVolumeError', message: 'import failed: 404' }),
    );
    await patchVm('theta', { metadata: { annotations: { [FAIL_ANNOTATION]: null } } });
    await waitForVmStatus(c, ns, 'theta', 'Stopped');
  });

  it('deletes the VMI with its VM', async () => {
    await createVm('iota', { runStrategy: 'Always' });
    await waitForVmStatus(c, ns, 'iota', 'Running');
    await c.custom.deleteNamespacedCustomObject({ ...kv('virtualmachines', ns), name: 'iota' });
    await waitFor('the VMI of a deleted VM to go', async () => (await getVmi(c, ns, 'iota')) === undefined);
  });

  it('is restart-safe: running VMs stay Running with the same VMI when the controllers restart', async () => {
    await createVm('kappa', { runStrategy: 'Always' });
    await waitForVmStatus(c, ns, 'kappa', 'Running');
    const vmi = await getVmi(c, ns, 'kappa');
    const rec = await recordStatuses(c.kc, ns, 'kappa');
    await c.restartControllers();
    await createVm('lambda', { runStrategy: 'Always' });
    await waitForVmStatus(c, ns, 'lambda', 'Running');
    await rec.stop('Running');
    expect(rec.seen).toEqual(['Running']);
    expect((await getVmi(c, ns, 'kappa')).metadata.uid).toBe(vmi.metadata.uid);
    // The new VMI got an address no other VMI has, though the restarted controller counts from zero.
    const all = (await c.custom.listNamespacedCustomObject({ ...kv('virtualmachineinstances', ns) })) as any;
    const ips = all.items.map((v: any) => v.status?.interfaces?.[0]?.ipAddress).filter(Boolean);
    expect(new Set(ips).size).toBe(ips.length);
  });

  it('gets through injected API errors and a dropped watch', async (ctx) => {
    if (!c.faults) return ctx.skip();
    const ids = [
      c.faults.inject({ verb: 'patch', resource: 'virtualmachines', status: 503, times: 3 }),
      c.faults.inject({ verb: 'create', resource: 'virtualmachineinstances', status: 500, times: 1 }),
      c.faults.inject({ verb: 'watch', resource: 'virtualmachines', dropWatch: 'gone', times: 1 }),
    ];
    await createVm('mu', { runStrategy: 'Always' });
    await waitForVmStatus(c, ns, 'mu', 'Running', 10_000);
    ids.forEach((id) => c.faults!.clear(id));
  });

  it('gives each running VMI its own IP address', async () => {
    await Promise.all(['k1', 'k2', 'k3'].map((n) => createVm(n, { runStrategy: 'Always' })));
    const ips = await Promise.all(
      ['k1', 'k2', 'k3'].map((n) =>
        waitFor(`VMI ${n} running`, async () => {
          const vmi = await getVmi(c, ns, n);
          return vmi?.status?.phase === 'Running' ? (vmi.status.interfaces[0].ipAddress as string) : undefined;
        }),
      ),
    );
    expect(new Set(ips).size).toBe(3);
  });
}

describe('KubeVirt controller', () => {
  it('reads the same subresource records the simulator writes', () => {
    for (const name of ['PAUSE_ANNOTATION', 'RESTART_ANNOTATION', 'STOP_GRACE_ANNOTATION', 'RESTART_GRACE_ANNOTATION'] as const) {
      expect(controller[name]).toBe(simulator[name]);
    }
  });

  it('derives guest OS, CPU topology and memory from the VM', () => {
    const vm = { metadata: { name: 'x' }, spec: { template: { metadata: { annotations: { 'vm.kubevirt.io/os': 'windows2k22' } }, spec: { domain: { resources: { requests: { cpu: '3', memory: '6Gi' } } } } } } };
    expect(controller.guestOsInfoFor(controller.osKeyOf(vm))).toMatchObject({ id: 'mswindows', name: 'Microsoft Windows Server 2022 Datacenter' });
    expect(controller.cpuTopologyOf(vm)).toEqual({ cores: 3, sockets: 1, threads: 1 });
    expect(controller.guestMemoryOf(vm)).toBe('6Gi');
    const disk = { spec: { template: { spec: { volumes: [{ containerDisk: { image: 'quay.io/containerdisks/fedora:40' } }] } } } };
    expect(controller.guestOsInfoFor(controller.osKeyOf(disk))).toMatchObject({ id: 'fedora', versionId: '40' });
    expect(controller.runStrategyOf({ spec: { running: true } })).toBe('Always');
    expect(controller.runStrategyOf({ spec: {} })).toBe('Halted');
  });
});

describe('KubeVirt controller against the simulator', () => {
  suite(() => simulatorCluster());
});

describe.skipIf(!REAL_KUBECONFIG)(
  realSuiteTitle('KubeVirt controller'),
  () => {
    suite(() => realCluster());
  },
);
