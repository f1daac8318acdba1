/**
 * The VDC object of api.md §5.
 */
import type { VdcWithOrg } from '#db/queries/vdcs.ts';
import { ALLOCATION_TYPE, type AllocationModel } from '#lib/vdcs/schema.ts';
import { toUrn } from '#lib/urn.ts';
import { iso, ref } from './common.ts';

/**
 * Renders a VDC. `used` is 0 until the cluster integration reads it from the namespace's
 * ResourceQuota status (kubernetes.md); the row alone cannot know it.
 */
export function vdcView({ vdc: r, orgName }: VdcWithOrg) {
  return {
    id: toUrn('vdc', r.id),
    name: r.name,
    description: r.description,
    org: ref('org', r.orgId, orgName),
    allocationModel: r.allocationModel,
    allocationType: ALLOCATION_TYPE[r.allocationModel as AllocationModel] ?? null,
    computeCapacity: {
      cpu: { allocated: r.cpuAllocated, limit: r.cpuLimit, reserved: r.cpuReserved, used: 0, units: r.cpuUnits },
      memory: { allocated: r.memoryAllocated, limit: r.memoryLimit, reserved: r.memoryReserved, used: 0, units: r.memoryUnits },
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
