/**
 * A VDC's editable state as one value (`VdcSpec`), and how a request body changes it. Create and
 * PUT merge the body over the defaults, PATCH over the current row, so the three share one rule
 * for every field (including `computeCapacity`, which is merged per resource and sub-field, and
 * `allocationType` as an alias of `allocationModel`).
 */
import type { StorageProfile, vdcs } from '#db/schema.ts';
import type { AllocationModel, VdcBody } from './schema.ts';

type VdcRow = typeof vdcs.$inferSelect;

export interface Capacity { units: string; allocated: number; limit: number; reserved: number }
export interface Ref { name: string; id: string }

export interface VdcSpec {
  name: string;
  description: string;
  allocationModel: AllocationModel;
  cpu: Capacity;
  memory: Capacity;
  storageProfiles: StorageProfile[];
  nicQuota: number;
  networkQuota: number;
  vmQuota: number;
  isThinProvision: boolean;
  isEnabled: boolean;
  providerVdc: Ref | null;
}

/** What a VDC is when the body says nothing (0 = unlimited). */
export function defaultSpec(name: string): VdcSpec {
  return {
    name,
    description: '',
    allocationModel: 'AllocationVApp',
    cpu: { units: 'MHz', allocated: 0, limit: 0, reserved: 0 },
    memory: { units: 'MB', allocated: 0, limit: 0, reserved: 0 },
    storageProfiles: [],
    nicQuota: 0,
    networkQuota: 0,
    vmQuota: 0,
    isThinProvision: true,
    isEnabled: true,
    providerVdc: null,
  };
}

/** The spec stored in a row. */
export function specOfRow(r: VdcRow): VdcSpec {
  return {
    name: r.name,
    description: r.description,
    allocationModel: r.allocationModel as AllocationModel,
    cpu: { units: r.cpuUnits, allocated: r.cpuAllocated, limit: r.cpuLimit, reserved: r.cpuReserved },
    memory: { units: r.memoryUnits, allocated: r.memoryAllocated, limit: r.memoryLimit, reserved: r.memoryReserved },
    storageProfiles: r.storageProfiles,
    nicQuota: r.nicQuota,
    networkQuota: r.networkQuota,
    vmQuota: r.vmQuota,
    isThinProvision: r.isThinProvision,
    isEnabled: r.isEnabled,
    providerVdc: r.providerVdc ?? null,
  };
}

/** The row columns of a spec (`nameKey` included, for the per-org unique index). */
export function rowOfSpec(s: VdcSpec) {
  return {
    name: s.name,
    nameKey: s.name.toLowerCase(),
    description: s.description,
    allocationModel: s.allocationModel,
    cpuUnits: s.cpu.units,
    cpuAllocated: s.cpu.allocated,
    cpuLimit: s.cpu.limit,
    cpuReserved: s.cpu.reserved,
    memoryUnits: s.memory.units,
    memoryAllocated: s.memory.allocated,
    memoryLimit: s.memory.limit,
    memoryReserved: s.memory.reserved,
    storageProfiles: s.storageProfiles,
    nicQuota: s.nicQuota,
    networkQuota: s.networkQuota,
    vmQuota: s.vmQuota,
    isThinProvision: s.isThinProvision,
    isEnabled: s.isEnabled,
    providerVdc: s.providerVdc,
  };
}

/** `base` with every field the body gives replaced; absent fields keep `base`'s value. */
export function mergeSpec(base: VdcSpec, b: VdcBody): VdcSpec {
  const cc = b.computeCapacity;
  return {
    name: b.name ?? base.name,
    description: b.description ?? base.description,
    allocationModel: b.allocationModel ?? b.allocationType ?? base.allocationModel,
    cpu: { ...base.cpu, ...defined(cc?.cpu) },
    memory: { ...base.memory, ...defined(cc?.memory) },
    storageProfiles: b.vdcStorageProfiles ? storageProfiles(b.vdcStorageProfiles) : base.storageProfiles,
    nicQuota: b.nicQuota ?? base.nicQuota,
    networkQuota: b.networkQuota ?? base.networkQuota,
    vmQuota: b.vmQuota ?? base.vmQuota,
    isThinProvision: b.isThinProvision ?? base.isThinProvision,
    isEnabled: b.isEnabled ?? base.isEnabled,
    providerVdc: b.providerVdc === undefined ? base.providerVdc : b.providerVdc && { name: b.providerVdc.name ?? '', id: b.providerVdc.id ?? '' },
  };
}

/** Only the capacity sub-fields the client sent (`used` and unknown keys are dropped). */
function defined(c: { allocated?: number; limit?: number; reserved?: number; units?: string } | undefined): Partial<Capacity> {
  const out: Partial<Capacity> = {};
  if (!c) return out;
  if (c.allocated !== undefined) out.allocated = c.allocated;
  if (c.limit !== undefined) out.limit = c.limit;
  if (c.reserved !== undefined) out.reserved = c.reserved;
  if (c.units !== undefined) out.units = c.units;
  return out;
}

/**
 * Stored profiles with every field filled in. VCD needs a default profile, so when the client
 * marks none the first one becomes the default.
 */
function storageProfiles(ps: NonNullable<VdcBody['vdcStorageProfiles']>): StorageProfile[] {
  const anyDefault = ps.some((p) => p.default === true);
  return ps.map((p, i) => ({
    name: p.name,
    enabled: p.enabled ?? true,
    units: 'MB',
    limit: p.limit ?? 0,
    default: anyDefault ? p.default === true : i === 0,
  }));
}
