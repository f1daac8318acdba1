/**
 * The VM object of docs/api.md "VMs". Values come from the cluster (via the VM row the status sync
 * writes); what the cluster did not report is null, never invented.
 */
import type { VmRow } from '#db/queries/vms.ts';
import { toUrn } from '#lib/urn.ts';
import { iso, ref } from './common.ts';

/** The names a VM's references carry. */
export interface VmRefNames { vappName: string; vdcName: string; orgName: string }

/** The VM's CloudAPI address. */
export function vmHref(base: string, id: string): string {
  return `${base}/cloudapi/1.0.0/vms/${toUrn('vm', id)}`;
}

/** Renders a VM. */
export function vmView(r: VmRow, names: VmRefNames, base: string) {
  return {
    id: toUrn('vm', r.id),
    name: r.name,
    description: r.description,
    status: r.status,
    statusMessage: r.statusMessage ?? null,
    vappId: toUrn('vapp', r.vappId),
    vapp: ref('vapp', r.vappId, names.vappName),
    vdcId: toUrn('vdc', r.vdcId),
    vdc: ref('vdc', r.vdcId, names.vdcName),
    org: ref('org', r.orgId, names.orgName),
    guestOs: r.guestOs ?? null,
    hardware: { numCpus: r.numCpus ?? null, numCoresPerSocket: r.coresPerSocket ?? null, memoryMB: r.memoryMb ?? null },
    network: { interfaces: r.interfaces.map((i) => ({ name: i.name, ipAddress: i.ipAddress ?? null, macAddress: i.macAddress ?? null })) },
    kubernetes: { namespace: r.namespace, name: r.name, uid: r.uid, printableStatus: r.printableStatus ?? null },
    href: vmHref(base, r.id),
    createdAt: iso(r.createdAt),
    createdDate: iso(r.createdAt),
    updatedAt: iso(r.updatedAt),
    lastModifiedDate: iso(r.updatedAt),
  };
}
