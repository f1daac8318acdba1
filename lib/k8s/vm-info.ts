/**
 * What a VM row shows, read from the VirtualMachine and (when running) its
 * VirtualMachineInstance: hardware, guest OS and network interfaces. Unknown values stay null.
 */
import { parseQuantity, toMiB } from './quantity.ts';
import type { VmInterface } from '#db/schema.ts';
import { referencedSize, type InstancetypeLookup } from './instancetypes.ts';

export interface VmInfo {
  numCpus: number | null;
  coresPerSocket: number | null;
  memoryMb: number | null;
  guestOs: string | null;
  interfaces: VmInterface[];
}

type Obj = Record<string, any>;

/**
 * Hardware, OS and addresses of a VM, preferring the running instance's reported values. A VM
 * that references an instancetype takes CPU and memory from it (`instancetypes` resolves it).
 */
export function vmInfo(vm: Obj, vmi: Obj | undefined, instancetypes?: InstancetypeLookup): VmInfo {
  const domain = vm?.spec?.template?.spec?.domain ?? {};
  const sized = referencedSize(vm, instancetypes, undefined, vm?.metadata?.namespace);
  // KubeVirt spreads an instancetype's `cpu.guest` over sockets unless a preference says otherwise.
  const specCpu = sized ? (sized.cpus === null ? {} : { sockets: sized.cpus }) : domain.cpu ?? {};
  const topo = vmi?.status?.currentCPUTopology;
  const cores = num(topo?.cores) ?? num(specCpu.cores) ?? 1;
  const sockets = num(topo?.sockets) ?? num(specCpu.sockets) ?? 1;
  const threads = num(topo?.threads) ?? num(specCpu.threads) ?? 1;
  const hasCpu = !!topo || specCpu.cores !== undefined || specCpu.sockets !== undefined || specCpu.threads !== undefined;
  const memBytes = parseQuantity(vmi?.status?.memory?.guestCurrent)
    ?? (sized ? sized.memoryBytes ?? undefined : parseQuantity(domain.memory?.guest) ?? parseQuantity(domain.resources?.requests?.memory));
  const os = vmi?.status?.guestOSInfo;
  const guestOs = os?.prettyName || os?.name || labelOs(vm) || null;
  const interfaces: VmInterface[] = (vmi?.status?.interfaces ?? []).map((i: Obj) => ({
    name: String(i.name ?? i.interfaceName ?? 'default'),
    ipAddress: i.ipAddress ?? (Array.isArray(i.ipAddresses) ? i.ipAddresses[0] : null) ?? null,
    macAddress: i.mac ?? null,
  }));
  return {
    numCpus: hasCpu ? cores * sockets * threads : null,
    coresPerSocket: hasCpu ? cores : null,
    memoryMb: toMiB(memBytes),
    guestOs,
    interfaces,
  };
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined;
}

/**
 * The OS a VM was made for, when the guest agent does not report one: the `vm.kubevirt.io/os`
 * annotation (common templates put it on `spec.template.metadata`, others on the VM itself),
 * else an `os.template.kubevirt.io/<os>` label (ignored when set to "false").
 */
function labelOs(vm: Obj): string | undefined {
  const ann = { ...(vm?.metadata?.annotations ?? {}), ...(vm?.spec?.template?.metadata?.annotations ?? {}) };
  if (typeof ann['vm.kubevirt.io/os'] === 'string' && ann['vm.kubevirt.io/os']) return ann['vm.kubevirt.io/os'];
  const labels: Record<string, unknown> = { ...(vm?.metadata?.labels ?? {}), ...(vm?.spec?.template?.metadata?.labels ?? {}) };
  const key = Object.keys(labels).find((k) => k.startsWith('os.template.kubevirt.io/') && labels[k] !== 'false');
  return key?.slice('os.template.kubevirt.io/'.length);
}
