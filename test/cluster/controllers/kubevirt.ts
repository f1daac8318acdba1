/**
 * KubeVirt's VirtualMachine behaviour, simulated through the API alone (so it also runs against a
 * bare kube-apiserver with the CRDs): watches VirtualMachines and VirtualMachineInstances and moves
 * each VM through `status.printableStatus` with a configurable delay per step.
 *
 * What drives a VM (all of it visible in, and writable through, the API):
 * - `spec.runStrategy` (`Always`, `RerunOnFailure`, `Halted`, `Manual`, `Once`) or the legacy
 *   `spec.running`; `status.stateChangeRequests` (`[{action: Stop, uid}, {action: Start}]` is what
 *   KubeVirt's `restart` writes; `Manual` VMs start/stop through single requests);
 * - the simulator's record of the subresource calls (test/cluster/apiserver/kubevirt.ts): `start` /
 *   `stop` change the run strategy; `restart` sets the VM annotation `sim.ssvirt.io/restart-requested`,
 *   which we turn into KubeVirt's own stateChangeRequests (and remove); `pause` / `unpause` set and
 *   remove the VMI annotation `sim.ssvirt.io/pause-requested`, which we mirror into the VMI condition
 *   `Paused` (reason PausedByUser) → VM `Paused`; a grace period of 0 (`stop` body `gracePeriod`,
 *   `restart` body `gracePeriodSeconds`) skips the Stopping delay;
 * - the annotation `sim.ssvirt.io/fail` (see FAIL_ANNOTATION) to make a VM fail.
 * All of these are plain annotations and status fields, so a test against a bare kube-apiserver can
 * write them directly instead of calling the subresources.
 *
 * Phases: `Provisioning` (below) → `Starting` (VMI Pending → Scheduling → Scheduled) → `Running`
 * (VMI Running with interfaces, CPU topology, memory, guest OS), and `Stopping` → VMI deleted →
 * `Stopped`. VMIs are named like their VM and owned by it (controller ownerReference), so the garbage
 * collector also removes them; we delete them ourselves anyway.
 *
 * DataVolumes: as KubeVirt, each `spec.dataVolumeTemplates[]` entry is created as a DataVolume named
 * by the entry, whatever the run strategy, owned by the VM (controller ownerReference) and labelled
 * `kubevirt.io/created-by: <vm uid>`; CDI's side is cdi.ts. Until every one reports phase
 * `Succeeded` (and while no VMI runs) the VM stays `Provisioning` with condition `DataVolumesReady`
 * False, reason `NotAllDVsReady`, whose message carries the DataVolume's own (which names a missing
 * or unready DataSource); DataVolume events bring the VM back, and it goes on to `Stopped` or
 * `Starting` once they are all Succeeded.
 *
 * Level-triggered, as KubeVirt: each reconcile reads the latest VM and VMI from the caches and acts on
 * them alone; events only say which VM to look at, so states that came and went before a reconcile
 * (say `Halted` then `Always` again) have no effect.
 */
import {
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { CDI_GROUP, CDI_VERSION, DATAVOLUMES, DV_PHASE, type DataVolume } from './cdi.ts';
import { errorCode, keyOf, splitKey, startInformer, WorkQueue, type Log } from './runtime.ts';

/**
 * Annotation on a VirtualMachine that makes it fail: the value is the printableStatus it gets stuck
 * in. `DataVolumeError` and `ErrorPvcNotFound` apply at once (storage fails whether or not the VM
 * runs); `ErrorUnschedulable`, `ErrImagePull`, `ImagePullBackOff` and `CrashLoopBackOff` apply when
 * the VM starts (its VMI stays in phase Scheduling). Remove the annotation to recover.
 */
export const FAIL_ANNOTATION = 'sim.ssvirt.io/fail';
/** Optional message for the failure condition. */
export const FAIL_MESSAGE_ANNOTATION = 'sim.ssvirt.io/fail-message';

// The simulator's record of subresource calls (same strings as test/cluster/apiserver/kubevirt.ts,
// repeated here so the controllers do not load the simulator when attached to a real API server).
export const PAUSE_ANNOTATION = 'sim.ssvirt.io/pause-requested';
export const RESTART_ANNOTATION = 'sim.ssvirt.io/restart-requested';
export const STOP_GRACE_ANNOTATION = 'sim.ssvirt.io/stop-grace-period-seconds';
export const RESTART_GRACE_ANNOTATION = 'sim.ssvirt.io/restart-grace-period-seconds';

const STORAGE_FAILURES = new Set(['DataVolumeError', 'ErrorPvcNotFound']);
const START_FAILURES = new Set(['ErrorUnschedulable', 'ErrImagePull', 'ImagePullBackOff', 'CrashLoopBackOff']);

const GROUP = 'kubevirt.io';
const VERSION = 'v1';
/** KubeVirt's label on the DataVolumes it creates for a VM. */
export const CREATED_BY_LABEL = 'kubevirt.io/created-by';
export const DATAVOLUMES_READY = 'DataVolumesReady';
export const NOT_ALL_DVS_READY = 'NotAllDVsReady';
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastProbeTime?: string | null;
  lastTransitionTime?: string | null;
}

interface StateChangeRequest {
  action: 'Start' | 'Stop' | string;
  uid?: string;
  data?: Record<string, string>;
}

export interface VirtualMachine extends KubernetesObject {
  spec?: {
    running?: boolean;
    runStrategy?: string;
    dataVolumeTemplates?: Array<{ metadata?: { name?: string; labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: any }>;
    template?: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: any };
  };
  status?: {
    printableStatus?: string;
    created?: boolean;
    ready?: boolean;
    conditions?: Condition[];
    stateChangeRequests?: StateChangeRequest[];
    [k: string]: unknown;
  };
}

export interface VirtualMachineInstance extends KubernetesObject {
  spec?: any;
  status?: { phase?: string; conditions?: Condition[]; [k: string]: unknown };
}

export interface KubevirtControllerOptions {
  /** Delay between two phase steps of one VM (default 30 ms). */
  stepDelayMs?: number;
  log?: Log;
  /** Node name reported in VMI status (default `sim-node-1`). */
  nodeName?: string;
}

const nowIso = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

/** `spec.runStrategy`, or the one the legacy `spec.running` implies. */
export function runStrategyOf(vm: VirtualMachine): string {
  if (vm.spec?.runStrategy) return vm.spec.runStrategy;
  if (vm.spec?.running === true) return 'Always';
  return 'Halted';
}

function parseQuantityToMi(q: string | number | undefined): number | undefined {
  if (q === undefined || q === null || q === '') return undefined;
  const m = /^([0-9.]+)\s*([A-Za-z]*)$/.exec(String(q));
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = m[2] ?? '';
  const factors: Record<string, number> = {
    '': 1 / (1024 * 1024), Ki: 1 / 1024, Mi: 1, Gi: 1024, Ti: 1024 * 1024,
    k: 1000 / (1024 * 1024), K: 1000 / (1024 * 1024), M: 1e6 / (1024 * 1024), G: 1e9 / (1024 * 1024), T: 1e12 / (1024 * 1024),
  };
  const f = factors[unit];
  return f === undefined ? undefined : n * f;
}

/** CPU topology from `domain.cpu` (KubeVirt defaults each of cores/sockets/threads to 1). */
export function cpuTopologyOf(vm: VirtualMachine): { cores: number; sockets: number; threads: number } {
  const domain = vm.spec?.template?.spec?.domain ?? {};
  const cpu = domain.cpu ?? {};
  let cores = Number(cpu.cores) || 0;
  const sockets = Number(cpu.sockets) || 1;
  const threads = Number(cpu.threads) || 1;
  if (!cores) {
    const req = domain.resources?.requests?.cpu;
    const n = typeof req === 'string' && req.endsWith('m') ? Number(req.slice(0, -1)) / 1000 : Number(req);
    cores = cpu.sockets || cpu.threads ? 1 : Math.max(1, Math.ceil(Number.isFinite(n) ? n : 1));
  }
  return { cores, sockets, threads };
}

/** Guest memory as KubeVirt reports it (`memory.guest`, else `resources.requests.memory`). */
export function guestMemoryOf(vm: VirtualMachine): string {
  const domain = vm.spec?.template?.spec?.domain ?? {};
  return String(domain.memory?.guest ?? domain.resources?.requests?.memory ?? '1Gi');
}

/** The OS key of a VM: `vm.kubevirt.io/os`, an `os.template.kubevirt.io/<os>` label, or the disk. */
export function osKeyOf(vm: VirtualMachine): string {
  const metas = [vm.metadata, vm.spec?.template?.metadata];
  for (const meta of metas) {
    const all = { ...(meta?.labels ?? {}), ...(meta?.annotations ?? {}) };
    if (all['vm.kubevirt.io/os']) return all['vm.kubevirt.io/os'];
    const osLabel = Object.keys(all).find((k) => k.startsWith('os.template.kubevirt.io/') && all[k] === 'true');
    if (osLabel) return osLabel.slice('os.template.kubevirt.io/'.length);
  }
  const volumes: any[] = vm.spec?.template?.spec?.volumes ?? [];
  const image: string | undefined = volumes.find((v) => v.containerDisk?.image)?.containerDisk.image;
  if (image) {
    // quay.io/containerdisks/fedora:40 → fedora40 (a numeric tag is the OS version).
    const [repo = '', tag = ''] = image.split('/').pop()!.replace(/@.*$/, '').split(':');
    return repo.replace(/-container-disk.*$/, '') + (/^\d/.test(tag) ? tag : '');
  }
  const dv = vm.spec?.dataVolumeTemplates?.[0]?.spec;
  const source: string | undefined = dv?.sourceRef?.name ?? dv?.source?.registry?.url;
  if (source) return source.split('/').pop()!.replace(/[:@].*$/, '');
  return 'linux';
}

/** A plausible `guestOSInfo` (what the guest agent reports) for an OS key such as `fedora39`, `rhel9`. */
export function guestOsInfoFor(osKey: string): Record<string, string> {
  const key = osKey.toLowerCase();
  const digits = /(\d+(?:\.\d+)?)/.exec(key)?.[1];
  if (key.startsWith('fedora')) {
    const v = digits ?? '39';
    return { id: 'fedora', name: 'Fedora Linux', version: `${v} (Cloud Edition)`, versionId: v, prettyName: `Fedora Linux ${v} (Cloud Edition)`, kernelRelease: `6.5.6-300.fc${v}.x86_64`, kernelVersion: '#1 SMP PREEMPT_DYNAMIC', machine: 'x86_64' };
  }
  if (key.startsWith('centos')) {
    const v = digits ?? '9';
    return { id: 'centos', name: 'CentOS Stream', version: v, versionId: v, prettyName: `CentOS Stream ${v}`, kernelRelease: `5.14.0-410.el${v}.x86_64`, kernelVersion: '#1 SMP PREEMPT_DYNAMIC', machine: 'x86_64' };
  }
  if (key.startsWith('rhel')) {
    const major = digits ?? '9';
    const v = major.includes('.') ? major : `${major}.4`;
    return { id: 'rhel', name: 'Red Hat Enterprise Linux', version: `${v} (Plow)`, versionId: v, prettyName: `Red Hat Enterprise Linux ${v} (Plow)`, kernelRelease: `5.14.0-427.el${major.split('.')[0]}.x86_64`, kernelVersion: '#1 SMP PREEMPT_DYNAMIC', machine: 'x86_64' };
  }
  if (key.startsWith('win')) {
    const year = key.includes('2k19') || key.includes('2019') ? '2019' : key.includes('2k16') || key.includes('2016') ? '2016' : '2022';
    const build = year === '2022' ? '20348' : year === '2019' ? '17763' : '14393';
    return { id: 'mswindows', name: `Microsoft Windows Server ${year} Datacenter`, version: year, versionId: year, prettyName: `Microsoft Windows Server ${year} Datacenter`, kernelRelease: build, kernelVersion: '10.0', machine: 'x86_64' };
  }
  if (key.startsWith('ubuntu')) {
    const v = digits ?? '22.04';
    return { id: 'ubuntu', name: 'Ubuntu', version: v, versionId: v, prettyName: `Ubuntu ${v}`, kernelRelease: '5.15.0-91-generic', kernelVersion: '#101-Ubuntu SMP', machine: 'x86_64' };
  }
  return { id: 'linux', name: 'Linux', version: '', versionId: '', prettyName: 'Linux', kernelRelease: '', kernelVersion: '', machine: 'x86_64' };
}

/**
 * Fake addresses (values in objects, never traffic) from a counter, skipping those that VMIs in the
 * cache already carry, so they stay unique across controller restarts too.
 */
function addressAllocator(inUse: (ip: string) => boolean) {
  let n = 0;
  return () => {
    for (;;) {
      const i = n++;
      const ip = `10.128.${Math.floor(i / 250) % 256}.${(i % 250) + 2}`;
      if (inUse(ip) && n < 64_000) continue;
      const hex = (x: number) => x.toString(16).padStart(2, '0');
      const mac = `02:5e:00:${hex((i >> 16) & 255)}:${hex((i >> 8) & 255)}:${hex(i & 255)}`;
      return { ip, mac };
    }
  };
}

function sameConditions(a: Condition[] = [], b: Condition[] = []): boolean {
  if (a.length !== b.length) return false;
  return a.every((c, i) => {
    const d = b[i]!;
    return c.type === d.type && c.status === d.status && (c.reason ?? '') === (d.reason ?? '') && (c.message ?? '') === (d.message ?? '');
  });
}

/** Keeps lastTransitionTime of conditions whose status did not change. */
function stampConditions(next: Condition[], prev: Condition[] = []): Condition[] {
  const t = nowIso();
  return next.map((c) => {
    const old = prev.find((p) => p.type === c.type);
    return { lastProbeTime: null, ...c, lastTransitionTime: old && old.status === c.status ? (old.lastTransitionTime ?? t) : t };
  });
}

const cond = (type: string, status: boolean, reason?: string, message?: string): Condition => ({
  type,
  status: status ? 'True' : 'False',
  ...(reason ? { reason } : {}),
  ...(message ? { message } : {}),
});

export async function startKubevirtController(
  kc: KubeConfig,
  opts: KubevirtControllerOptions = {},
): Promise<{ stop(): Promise<void>; idle(): Promise<void> }> {
  const log = opts.log ?? (() => {});
  const stepDelay = opts.stepDelayMs ?? 30;
  const nodeName = opts.nodeName ?? 'sim-node-1';
  const custom = kc.makeApiClient(CustomObjectsApi);
  // IPs carried by VMIs in the cache, counted per IP (a VMI's update repeats its address).
  const ipsByVmi = new Map<string, string[]>();
  const ipUse = new Map<string, number>();
  const trackIps = (type: 'add' | 'update' | 'delete', vmi: VirtualMachineInstance) => {
    const key = keyOf(vmi);
    for (const ip of ipsByVmi.get(key) ?? []) ipUse.set(ip, (ipUse.get(ip) ?? 1) - 1);
    ipsByVmi.delete(key);
    if (type === 'delete') return;
    const ips = ((vmi.status?.interfaces as Array<{ ipAddress?: string }>) ?? []).map((i) => i.ipAddress).filter((ip): ip is string => !!ip);
    ipsByVmi.set(key, ips);
    for (const ip of ips) ipUse.set(ip, (ipUse.get(ip) ?? 0) + 1);
  };
  const allocate = addressAllocator((ip) => (ipUse.get(ip) ?? 0) > 0);
  const lastStep = new Map<string, number>();

  const queue = new WorkQueue((key) => reconcile(key), log);
  const vms = startInformer<VirtualMachine>(
    kc,
    `/apis/${GROUP}/${VERSION}/virtualmachines`,
    () => custom.listClusterCustomObject({ group: GROUP, version: VERSION, plural: 'virtualmachines' }) as never,
    (_t, vm) => queue.add(keyOf(vm)),
    (m) => log(`[kubevirt] ${m}`),
  );
  const vmis = startInformer<VirtualMachineInstance>(
    kc,
    `/apis/${GROUP}/${VERSION}/virtualmachineinstances`,
    () => custom.listClusterCustomObject({ group: GROUP, version: VERSION, plural: 'virtualmachineinstances' }) as never,
    (type, vmi) => {
      trackIps(type, vmi);
      queue.add(keyOf(vmi));
    },
    (m) => log(`[kubevirt] ${m}`),
  );

  const dvs = startInformer<DataVolume>(
    kc,
    `/apis/${CDI_GROUP}/${CDI_VERSION}/${DATAVOLUMES}`,
    () => custom.listClusterCustomObject({ group: CDI_GROUP, version: CDI_VERSION, plural: DATAVOLUMES }) as never,
    // A DataVolume concerns the VM that owns it.
    (_t, dv) => {
      const owner = dv.metadata?.ownerReferences?.find((o) => o.kind === 'VirtualMachine' && o.controller);
      if (owner) queue.add(`${dv.metadata?.namespace ?? ''}/${owner.name}`);
    },
    (m) => log(`[kubevirt] ${m}`),
  );

  // DataVolumes are awaited only by VMs that have some, so a cluster without CDI's CRDs still runs VMs.
  const cachesSynced = Promise.all([vms.synced, vmis.synced]);
  const ref = (plural: string, namespace: string, name: string) => ({ group: GROUP, version: VERSION, plural, namespace, name });

  async function patchVmStatus(vm: VirtualMachine, status: Record<string, unknown>): Promise<void> {
    try {
      await custom.patchNamespacedCustomObjectStatus(
        { ...ref('virtualmachines', vm.metadata!.namespace!, vm.metadata!.name!), body: { status } },
        mergePatch,
      );
    } catch (e) {
      if (errorCode(e) !== 404) throw e;
    }
  }

  async function patchVmiStatus(vmi: VirtualMachineInstance, status: Record<string, unknown>): Promise<void> {
    try {
      await custom.patchNamespacedCustomObjectStatus(
        { ...ref('virtualmachineinstances', vmi.metadata!.namespace!, vmi.metadata!.name!), body: { status } },
        mergePatch,
      );
    } catch (e) {
      if (errorCode(e) !== 404) throw e;
    }
  }

  async function deleteVmi(namespace: string, name: string): Promise<void> {
    try {
      await custom.deleteNamespacedCustomObject({ ...ref('virtualmachineinstances', namespace, name), propagationPolicy: 'Background' });
    } catch (e) {
      if (errorCode(e) !== 404) throw e;
    }
  }

  async function createVmi(vm: VirtualMachine): Promise<void> {
    const { name, namespace, uid, generation } = vm.metadata!;
    const tmpl = vm.spec?.template ?? {};
    const body = {
      apiVersion: `${GROUP}/${VERSION}`,
      kind: 'VirtualMachineInstance',
      metadata: {
        name,
        namespace,
        labels: { ...(tmpl.metadata?.labels ?? {}), 'kubevirt.io/vm': name },
        annotations: { ...(tmpl.metadata?.annotations ?? {}), 'kubevirt.io/vm-generation': String(generation ?? 1) },
        ownerReferences: [
          { apiVersion: `${GROUP}/${VERSION}`, kind: 'VirtualMachine', name, uid, controller: true, blockOwnerDeletion: true },
        ],
      },
      spec: structuredClone(tmpl.spec ?? { domain: { devices: {} } }),
    };
    try {
      const created = (await custom.createNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        plural: 'virtualmachineinstances',
        namespace: namespace!,
        body,
      })) as VirtualMachineInstance;
      await patchVmiStatus(created, { phase: 'Pending', guestOSInfo: {}, phaseTransitionTimestamps: [{ phase: 'Pending', phaseTransitionTimestamp: nowIso() }] });
    } catch (e) {
      if (errorCode(e) !== 409) throw e; // already there: the next event shows it
    }
  }

  /** VMI status for a phase; conditions of other writers (e.g. `Paused`) are kept. */
  function vmiStatusFor(vm: VirtualMachine, vmi: VirtualMachineInstance, phase: string, fail?: string, failMessage?: string) {
    const prev = vmi.status?.conditions ?? [];
    const foreign = prev.filter((c) => !['Ready', 'PodScheduled', 'LiveMigratable', 'AgentConnected'].includes(c.type));
    const transitions = [...((vmi.status?.phaseTransitionTimestamps as unknown[]) ?? []), { phase, phaseTransitionTimestamp: nowIso() }];
    if (phase === 'Scheduling') {
      const conditions = [cond('Ready', false, 'GuestNotRunning', 'Guest VM is not reported as running')];
      if (fail === 'ErrorUnschedulable') conditions.push(cond('PodScheduled', false, 'Unschedulable', failMessage));
      return { phase, conditions: stampConditions([...conditions, ...foreign], prev), phaseTransitionTimestamps: transitions };
    }
    if (phase === 'Scheduled') {
      return { phase, nodeName, phaseTransitionTimestamps: transitions };
    }
    // Running: what virt-handler and the guest agent report.
    const ifaceSpec = vm.spec?.template?.spec?.domain?.devices?.interfaces?.[0] ?? {};
    const { ip, mac } = allocate();
    const memory = guestMemoryOf(vm);
    return {
      phase,
      nodeName,
      qosClass: 'Burstable',
      migrationMethod: 'BlockMigration',
      launcherContainerImageVersion: 'registry.ssvirt.test/virt-launcher:sim',
      interfaces: [
        {
          name: ifaceSpec.name ?? 'default',
          interfaceName: 'eth0',
          infoSource: 'domain, guest-agent',
          ipAddress: ip,
          ipAddresses: [ip],
          mac: ifaceSpec.macAddress ?? mac,
          linkState: 'up',
          queueCount: 1,
        },
      ],
      currentCPUTopology: cpuTopologyOf(vm),
      memory: { guestAtBoot: memory, guestCurrent: memory, guestRequested: memory },
      guestOSInfo: guestOsInfoFor(osKeyOf(vm)),
      conditions: stampConditions(
        [cond('Ready', true), cond('LiveMigratable', true), cond('AgentConnected', true), ...foreign],
        prev,
      ),
      phaseTransitionTimestamps: transitions,
    };
  }

  /** Writes the VM status fields we own when they differ from what is stored. */
  async function setVm(vm: VirtualMachine, printableStatus: string, fields: { created?: boolean; ready?: boolean; conditions: Condition[]; stateChangeRequests?: StateChangeRequest[] | null }): Promise<boolean> {
    const st = vm.status ?? {};
    const requestsChanged =
      fields.stateChangeRequests !== undefined &&
      JSON.stringify(fields.stateChangeRequests ?? []) !== JSON.stringify(st.stateChangeRequests ?? []);
    if (
      st.printableStatus === printableStatus &&
      (st.created ?? false) === (fields.created ?? false) &&
      (st.ready ?? false) === (fields.ready ?? false) &&
      sameConditions(st.conditions, fields.conditions) &&
      st.runStrategy === runStrategyOf(vm) &&
      !requestsChanged
    ) {
      return false;
    }
    const status: Record<string, unknown> = {
      printableStatus,
      // KubeVirt omits false booleans (omitempty); null removes them in a merge patch.
      created: fields.created ? true : null,
      ready: fields.ready ? true : null,
      conditions: stampConditions(fields.conditions, st.conditions),
      runStrategy: runStrategyOf(vm),
      desiredGeneration: vm.metadata?.generation ?? 1,
      observedGeneration: vm.metadata?.generation ?? 1,
    };
    if (requestsChanged) status.stateChangeRequests = fields.stateChangeRequests?.length ? fields.stateChangeRequests : null;
    await patchVmStatus(vm, status);
    return true;
  }

  function stepped(key: string): void {
    lastStep.set(key, Date.now());
    queue.addAfter(key, stepDelay);
  }

  async function reconcile(key: string): Promise<void> {
    // Both caches must be listed first: a VM seen before its VMI would look stopped and be "started".
    await cachesSynced;
    const { namespace, name } = splitKey(key);
    const vm = vms.get(name, namespace);
    const vmi = vmis.get(name, namespace);

    if (!vm) {
      lastStep.delete(key);
      const ownedByVm = vmi?.metadata?.ownerReferences?.some((o) => o.kind === 'VirtualMachine');
      if (vmi && ownedByVm && !vmi.metadata?.deletionTimestamp) await deleteVmi(namespace, name);
      return;
    }
    const wait = (lastStep.get(key) ?? 0) + stepDelay - Date.now();
    if (wait > 0) {
      queue.addAfter(key, wait);
      return;
    }
    const ownVmi = vmi && vmi.metadata?.ownerReferences?.some((o) => o.uid === vm.metadata?.uid) ? vmi : undefined;
    const st = vm.status ?? {};
    const annotations = vm.metadata?.annotations ?? {};
    const fail = annotations[FAIL_ANNOTATION];
    const failMessage = annotations[FAIL_MESSAGE_ANNOTATION];
    const rs = runStrategyOf(vm);

    if (vm.metadata?.deletionTimestamp) {
      if (ownVmi && !ownVmi.metadata?.deletionTimestamp) await deleteVmi(namespace, name);
      await setVm(vm, 'Terminating', { created: !!ownVmi, conditions: [cond('Ready', false, 'VMINotExists', 'VMI does not exist')] });
      return;
    }

    // DataVolumes exist whether or not the VM runs; a VM waits for them before its VMI is created.
    const notReady = await ensureDataVolumes(vm);
    if (fail && STORAGE_FAILURES.has(fail)) {
      const dv = vm.spec?.dataVolumeTemplates?.[0]?.metadata?.name ?? name;
      const message =
        failMessage ??
        (fail === 'DataVolumeError'
          ? `DataVolume ${dv} failed to import: Unable to connect to http data source: expected status code 200, got 404. Status: 404 Not Found`
          : `PVC ${namespace}/${dv} does not exist, waiting for it to appear`);
      await setVm(vm, fail, {
        created: !!ownVmi,
        conditions: [cond('Ready', false, 'VMINotExists', 'VMI does not exist'), cond('DataVolumesReady', false, fail, message)],
      });
      return;
    }

    if (notReady && !ownVmi) {
      await setVm(vm, 'Provisioning', {
        conditions: [cond('Ready', false, 'VMINotExists', 'VMI does not exist'), cond(DATAVOLUMES_READY, false, NOT_ALL_DVS_READY, notReady)],
      });
      return; // a DataVolume event brings us back
    }

    if (annotations[RESTART_ANNOTATION] !== undefined) return convertRestart(vm, ownVmi);

    // status.stateChangeRequests: Stop (for a given VMI uid) before Start, as `restart` writes them.
    let requests = [...(st.stateChangeRequests ?? [])];
    const stop = requests[0]?.action === 'Stop' ? requests[0] : undefined;
    if (stop && ownVmi && (!stop.uid || stop.uid === ownVmi.metadata?.uid)) {
      return stopFlow(key, vm, ownVmi, requests);
    }
    if (stop) requests = requests.slice(1); // its VMI is gone: done
    const start = requests[0]?.action === 'Start';

    let wantRun: boolean;
    switch (rs) {
      case 'Halted':
        wantRun = false;
        break;
      case 'Manual':
        wantRun = start || (!!ownVmi && !['Succeeded', 'Failed'].includes(ownVmi.status?.phase ?? ''));
        break;
      default: // Always, RerunOnFailure, Once
        wantRun = true;
    }

    if (!wantRun) {
      if (ownVmi) return stopFlow(key, vm, ownVmi, requests);
      if (annotations[STOP_GRACE_ANNOTATION] !== undefined) await removeAnnotations(vm, [STOP_GRACE_ANNOTATION]);
      if (await setVm(vm, 'Stopped', { conditions: [cond('Ready', false, 'VMINotExists', 'VMI does not exist')], stateChangeRequests: requests })) stepped(key);
      return;
    }

    if (!ownVmi) {
      if (vmi && !vmi.metadata?.deletionTimestamp) await deleteVmi(namespace, name); // a stranger with our name
      if (vmi) return; // wait for the old one to go
      await createVmi(vm);
      await setVm(vm, 'Starting', {
        created: true,
        conditions: [cond('Ready', false, 'GuestNotRunning', 'Guest VM is not reported as running')],
        stateChangeRequests: start ? requests.slice(1) : requests,
      });
      stepped(key);
      return;
    }
    if (ownVmi.metadata?.deletionTimestamp) {
      await setVm(vm, 'Stopping', { created: true, conditions: [cond('Ready', false, 'PodTerminating', 'VMI is terminating')], stateChangeRequests: requests });
      return;
    }
    const phase = ownVmi.status?.phase ?? 'Pending';
    if (phase === 'Succeeded' || phase === 'Failed') {
      await deleteVmi(namespace, name); // Always/RerunOnFailure: a new VMI follows
      stepped(key);
      return;
    }
    const startFailure = fail && START_FAILURES.has(fail) ? fail : undefined;
    if (phase === 'Pending' || (phase === 'Scheduling' && !startFailure) || phase === 'Scheduled') {
      const next = phase === 'Pending' ? 'Scheduling' : phase === 'Scheduling' ? 'Scheduled' : 'Running';
      await patchVmiStatus(ownVmi, vmiStatusFor(vm, ownVmi, next, startFailure, failMessage));
      if (next === 'Scheduled') await labelVmiNode(ownVmi);
      await setVm(vm, 'Starting', {
        created: true,
        conditions: [cond('Ready', false, 'GuestNotRunning', 'Guest VM is not reported as running')],
        stateChangeRequests: requests,
      });
      stepped(key);
      return;
    }
    if (phase === 'Scheduling' && startFailure) {
      const message =
        failMessage ??
        (startFailure === 'ErrorUnschedulable'
          ? '0/1 nodes are available: 1 Insufficient memory. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.'
          : `virt-launcher pod failed: ${startFailure}`);
      await setVm(vm, startFailure, {
        created: true,
        conditions: [
          cond('Ready', false, 'GuestNotRunning', 'Guest VM is not reported as running'),
          startFailure === 'ErrorUnschedulable' ? cond('PodScheduled', false, 'Unschedulable', message) : cond('Failure', true, startFailure, message),
        ],
        stateChangeRequests: requests,
      });
      return;
    }
    // Running. The pause request (VMI annotation) is mirrored into the VMI's Paused condition first.
    const pauseWanted = ownVmi.metadata?.annotations?.[PAUSE_ANNOTATION] === 'true';
    const vmiConditions = ownVmi.status?.conditions ?? [];
    const paused = vmiConditions.find((c) => c.type === 'Paused' && c.status === 'True');
    if (pauseWanted !== !!paused) {
      const others = vmiConditions.filter((c) => c.type !== 'Paused');
      const next = pauseWanted ? [...others, cond('Paused', true, 'PausedByUser', 'VMI was paused by user')] : others;
      await patchVmiStatus(ownVmi, { conditions: stampConditions(next, vmiConditions) });
      stepped(key);
      return;
    }
    if (paused) {
      await setVm(vm, 'Paused', {
        created: true,
        conditions: [cond('Ready', false, 'Paused', 'VMI was paused by user'), cond('Paused', true, paused.reason ?? 'PausedByUser', paused.message ?? 'VMI was paused by user')],
        stateChangeRequests: requests,
      });
      return;
    }
    await setVm(vm, 'Running', {
      created: true,
      ready: true,
      conditions: [cond('Ready', true), cond('LiveMigratable', true), cond('AgentConnected', true)],
      stateChangeRequests: requests,
    });
  }

  /**
   * Creates the VM's missing DataVolumes; returns why they are not all Succeeded yet (each one not
   * ready, with its own Ready message), or undefined when they are.
   */
  async function ensureDataVolumes(vm: VirtualMachine): Promise<string | undefined> {
    const namespace = vm.metadata!.namespace;
    const problems: string[] = [];
    if (vm.spec?.dataVolumeTemplates?.length) await dvs.synced;
    for (const t of vm.spec?.dataVolumeTemplates ?? []) {
      const name = t.metadata?.name;
      if (!name) continue;
      const dv = dvs.get(name, namespace);
      if (!dv) {
        await createDataVolume(vm, t);
        problems.push(`DataVolume ${name} is being created`);
        continue;
      }
      const phase = dv.status?.phase;
      if (phase === DV_PHASE.Succeeded) continue;
      const why = dv.status?.conditions?.find((c) => c.type === 'Ready' && c.status !== 'True')?.message;
      problems.push(`DataVolume ${name} is ${phase || DV_PHASE.Pending}${why ? `: ${why}` : ''}`);
    }
    return problems.length ? problems.join('; ') : undefined;
  }

  async function createDataVolume(vm: VirtualMachine, t: NonNullable<NonNullable<VirtualMachine['spec']>['dataVolumeTemplates']>[number]): Promise<void> {
    const { name: vmName, namespace, uid } = vm.metadata!;
    const body = {
      apiVersion: `${CDI_GROUP}/${CDI_VERSION}`,
      kind: 'DataVolume',
      metadata: {
        name: t.metadata!.name,
        namespace,
        labels: { ...(t.metadata?.labels ?? {}), [CREATED_BY_LABEL]: uid },
        ...(t.metadata?.annotations ? { annotations: { ...t.metadata.annotations } } : {}),
        ownerReferences: [{ apiVersion: `${GROUP}/${VERSION}`, kind: 'VirtualMachine', name: vmName, uid, controller: true, blockOwnerDeletion: true }],
      },
      spec: structuredClone(t.spec ?? {}),
    };
    try {
      await custom.createNamespacedCustomObject({ group: CDI_GROUP, version: CDI_VERSION, plural: DATAVOLUMES, namespace: namespace!, body });
    } catch (e) {
      if (errorCode(e) !== 409) throw e; // already there (our cache lags): its event shows it
    }
  }

  /** Stopping first shows for a step, then the VMI is deleted; its delete event brings `Stopped`. */
  async function stopFlow(key: string, vm: VirtualMachine, vmi: VirtualMachineInstance, requests: StateChangeRequest[]): Promise<void> {
    if (vmi.metadata?.deletionTimestamp) {
      await setVm(vm, 'Stopping', { created: true, conditions: [cond('Ready', false, 'PodTerminating', 'VMI is terminating')] });
      return;
    }
    // A grace period of 0 (forced power off / reset) skips the graceful-shutdown step.
    const force = vm.metadata?.annotations?.[STOP_GRACE_ANNOTATION] === '0' || requests[0]?.data?.gracePeriodSeconds === '0';
    if (vm.status?.printableStatus !== 'Stopping') {
      await setVm(vm, 'Stopping', { created: true, conditions: [cond('Ready', false, 'PodTerminating', 'VMI is terminating')], stateChangeRequests: requests });
      if (!force) {
        stepped(key);
        return;
      }
    }
    await deleteVmi(vm.metadata!.namespace!, vm.metadata!.name!);
    stepped(key);
  }

  /** Removes annotations only if the VM is unchanged since we read it (a newer request survives). */
  async function removeAnnotations(vm: VirtualMachine, keys: string[]): Promise<void> {
    try {
      await custom.patchNamespacedCustomObject(
        {
          ...ref('virtualmachines', vm.metadata!.namespace!, vm.metadata!.name!),
          body: { metadata: { resourceVersion: vm.metadata!.resourceVersion, annotations: Object.fromEntries(keys.map((k) => [k, null])) } },
        },
        mergePatch,
      );
    } catch (e) {
      if (errorCode(e) !== 404 && errorCode(e) !== 409) throw e; // 409: the next event brings us back
    }
  }

  /** The simulator's restart record becomes KubeVirt's own `[Stop <vmi uid>, Start]` requests. */
  async function convertRestart(vm: VirtualMachine, vmi: VirtualMachineInstance | undefined): Promise<void> {
    const annotations = vm.metadata?.annotations ?? {};
    const requests = vm.status?.stateChangeRequests ?? [];
    const uid = vmi?.metadata?.uid;
    if (vmi && !vmi.metadata?.deletionTimestamp && !requests.some((r) => r.action === 'Stop' && r.uid === uid)) {
      const grace = annotations[RESTART_GRACE_ANNOTATION];
      const stop: StateChangeRequest = { action: 'Stop', uid, ...(grace !== undefined ? { data: { gracePeriodSeconds: grace } } : {}) };
      await patchVmStatus(vm, { stateChangeRequests: [stop, { action: 'Start' }] });
    }
    await removeAnnotations(vm, [RESTART_ANNOTATION, RESTART_GRACE_ANNOTATION]);
  }

  async function labelVmiNode(vmi: VirtualMachineInstance): Promise<void> {
    try {
      await custom.patchNamespacedCustomObject(
        { ...ref('virtualmachineinstances', vmi.metadata!.namespace!, vmi.metadata!.name!), body: { metadata: { labels: { 'kubevirt.io/nodeName': nodeName } } } },
        mergePatch,
      );
    } catch (e) {
      if (errorCode(e) !== 404) throw e;
    }
  }

  await Promise.race([Promise.all([cachesSynced, dvs.synced]), new Promise((r) => setTimeout(r, 5000))]);
  return {
    idle: () => queue.idle(),
    async stop() {
      await Promise.all([vms.stop(), vmis.stop(), dvs.stop()]);
      await queue.stop();
    },
  };
}
