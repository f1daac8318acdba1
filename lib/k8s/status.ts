/**
 * Status mappings of docs/kubernetes.md ("VM status", "vApp status"): KubeVirt `printableStatus` → VM status, and a vApp's status
 * from its row, its TemplateInstance conditions and its VMs.
 */
import { VAPP_STATUS, VM_STATUS, type VappStatus, type VmStatus } from '#db/status.ts';

/** Re-exported for the mapping's callers; defined once in db/status.ts. */
export type { VappStatus, VmStatus };

const FAILED = new Set(['CrashLoopBackOff', 'ErrorUnschedulable', 'ErrImagePull', 'ImagePullBackOff', 'ErrorPvcNotFound', 'DataVolumeError']);

export interface VmLike {
  metadata?: { deletionTimestamp?: unknown };
  spec?: { runStrategy?: string; running?: boolean; dataVolumeTemplates?: unknown[] };
  status?: { printableStatus?: string; conditions?: { type?: string; status?: string; reason?: string; message?: string }[] };
}

/** Why a VM's disks are not ready yet: KubeVirt's `DataVolumesReady` condition (names the DataVolume and its source). */
function disksMessage(vm: VmLike): string | null {
  const c = vm.status?.conditions?.find((x) => x.type === 'DataVolumesReady' && x.status === 'False');
  return c?.message || c?.reason || null;
}

/** The VM status for a VirtualMachine object, with the reason kept for failures. */
export function vmStatus(vm: VmLike): { status: VmStatus; message: string | null } {
  if (vm.metadata?.deletionTimestamp) return { status: VM_STATUS.deleting, message: null };
  const p = vm.status?.printableStatus;
  switch (p) {
    case 'Running':
    case 'Migrating':
      return { status: VM_STATUS.poweredOn, message: null };
    case 'Stopped':
      return { status: VM_STATUS.poweredOff, message: null };
    case 'Provisioning':
    case 'WaitingForVolumeBinding':
      return { status: VM_STATUS.poweringOn, message: disksMessage(vm) };
    case 'Starting':
    case 'WaitingForReceiver':
      return { status: VM_STATUS.poweringOn, message: null };
    case 'Stopping':
    case 'Terminating':
      return { status: VM_STATUS.poweringOff, message: null };
    case 'Paused':
      return { status: VM_STATUS.suspended, message: null };
    case undefined:
    case '': {
      // Not reported by KubeVirt yet. With disks to import it will provision first, so it is not
      // "off" yet (its vApp stays INSTANTIATING: see DISKS_PENDING), whatever its run strategy.
      if (vm.spec?.dataVolumeTemplates?.length) return { status: VM_STATUS.poweringOn, message: null };
      const rs = vm.spec?.runStrategy ?? (vm.spec?.running === false ? 'Halted' : undefined);
      if (rs === 'Halted' || rs === 'Manual') return { status: VM_STATUS.poweredOff, message: null };
      return { status: VM_STATUS.unknown, message: null };
    }
    default:
      if (FAILED.has(p)) return { status: VM_STATUS.failed, message: p };
      return { status: VM_STATUS.unknown, message: p };
  }
}

/**
 * KubeVirt states of a VM whose disks are still being imported or bound. The VM itself reads
 * POWERING_ON (docs/kubernetes.md "VM status"; docs/api.md has no VM status for disk provisioning), but its
 * vApp is still being instantiated, not powering on.
 */
export const DISKS_PENDING: ReadonlySet<string> = new Set(['Provisioning', 'WaitingForVolumeBinding']);

/**
 * Whether a VM row (status and stored printableStatus) is one whose disks are pending: in a
 * DISKS_PENDING state, or POWERING_ON before KubeVirt reported anything (only a VM with disks to
 * import reads so, see vmStatus).
 */
export function rowDisksPending(row: { status: string; printableStatus: string | null }): boolean {
  return row.status === VM_STATUS.poweringOn && (row.printableStatus === null || DISKS_PENDING.has(row.printableStatus));
}

export interface InstanceConditions {
  ready: boolean;
  failed: { reason?: string; message?: string } | undefined;
}

/** Reads `Ready` / `InstantiateFailure` from a TemplateInstance's status. */
export function instanceConditions(ti: { status?: { conditions?: { type?: string; status?: string; reason?: string; message?: string }[] } } | undefined): InstanceConditions {
  const conds = ti?.status?.conditions ?? [];
  const ready = conds.some((c) => c.type === 'Ready' && c.status === 'True');
  const f = conds.find((c) => c.type === 'InstantiateFailure' && c.status === 'True');
  return { ready, failed: f ? { reason: f.reason, message: f.message } : undefined };
}

/**
 * The vApp status: row state first (CREATING/DELETING), then instance failure, then the VMs.
 * `instance` undefined with `clusterKnown` false means the cluster is away and nothing is known.
 */
export function vappStatus(input: {
  rowStatus: string;
  instance: InstanceConditions | undefined;
  vmStatuses: VmStatus[];
  clusterKnown: boolean;
  /** Some VM's disks are pending (rowDisksPending); the message says why when KubeVirt does. */
  disksPending?: boolean;
  disksMessage?: string | null;
}): { status: VappStatus; message: string | null } {
  const { rowStatus, instance, vmStatuses } = input;
  if (rowStatus === VAPP_STATUS.deleting) return { status: VAPP_STATUS.deleting, message: null };
  if (rowStatus === VAPP_STATUS.creating) return { status: VAPP_STATUS.instantiating, message: null };
  if (instance?.failed) return { status: VAPP_STATUS.failed, message: instance.failed.message ?? instance.failed.reason ?? 'instantiation failed' };
  // Until the instance reports Ready its objects are still being created, whatever VMs exist yet.
  if (instance && !instance.ready) return { status: VAPP_STATUS.instantiating, message: null };
  if (!instance && !input.clusterKnown && vmStatuses.length === 0) return { status: VAPP_STATUS.unknown, message: null };
  if (vmStatuses.length === 0) return { status: VAPP_STATUS.instantiating, message: null };
  if (input.disksPending) return { status: VAPP_STATUS.instantiating, message: input.disksMessage ? `Preparing disks: ${input.disksMessage}` : null };
  if (vmStatuses.every((s) => s === VM_STATUS.poweredOn)) return { status: VAPP_STATUS.poweredOn, message: null };
  if (vmStatuses.every((s) => s === VM_STATUS.poweredOff)) return { status: VAPP_STATUS.poweredOff, message: null };
  if (vmStatuses.every((s) => s === VM_STATUS.suspended)) return { status: VAPP_STATUS.suspended, message: null };
  if (vmStatuses.some((s) => s === VM_STATUS.failed) && vmStatuses.every((s) => s === VM_STATUS.failed)) return { status: VAPP_STATUS.failed, message: 'every VM failed' };
  return { status: VAPP_STATUS.mixed, message: null };
}
