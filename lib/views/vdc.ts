/**
 * The VDC object of docs/api.md "VDCs".
 */
import type { VdcWithOrg } from '#db/queries/vdcs.ts';
import { ALLOCATION_TYPE, type AllocationModel } from '#lib/vdcs/schema.ts';
import { toUrn } from '#lib/urn.ts';
import { iso, ref } from './common.ts';

/** What a VDC's namespace uses, in the VDC's own units (from the quota's `status.used`). */
export interface VdcUsage { cpu: number; memory: number }

/**
 * Renders a VDC. `used` comes from the namespace's ResourceQuota status (lib/vdcs/render.ts);
 * 0 when no cluster reports it.
 */
export function vdcView({ vdc: r, orgName }: VdcWithOrg, usage?: VdcUsage) {
  return {
    id: toUrn('vdc', r.id),
    name: r.name,
    description: r.description,
    org: ref('org', r.orgId, orgName),
    allocationModel: r.allocationModel,
    allocationType: ALLOCATION_TYPE[r.allocationModel as AllocationModel] ?? null,
    computeCapacity: {
      cpu: { allocated: r.cpuAllocated, limit: r.cpuLimit, reserved: r.cpuReserved, used: usage?.cpu ?? 0, units: r.cpuUnits },
      memory: { allocated: r.memoryAllocated, limit: r.memoryLimit, reserved: r.memoryReserved, used: usage?.memory ?? 0, units: r.memoryUnits },
    },
    providerVdc: r.providerVdc ?? null,
    nicQuota: r.nicQuota,
    networkQuota: r.networkQuota,
    vmQuota: r.vmQuota,
    vdcStorageProfiles: r.storageProfiles.map((p) => ({ name: p.name, enabled: p.enabled, units: 'MB', limit: p.limit, default: p.default })),
    isThinProvision: r.isThinProvision,
    isEnabled: r.isEnabled,
    status: r.status,
    namespace: r.namespace,
    createdDate: iso(r.createdAt),
    lastModifiedDate: iso(r.updatedAt),
  };
}
