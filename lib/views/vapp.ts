/**
 * The vApp object of docs/api.md "vApps", with its VMs. The row's lifecycle state `CREATING` is shown as
 * `INSTANTIATING` (docs/kubernetes.md "vApp status"); parameters are never shown (they may be secrets).
 */
import type { VappWithRefs } from '#db/queries/vapps.ts';
import type { VmRow } from '#db/queries/vms.ts';
import { toUrn } from '#lib/urn.ts';
import { iso, ref } from './common.ts';
import { vmView } from './vm.ts';
import { VAPP_STATUS } from '#db/status.ts';

/** The status clients see for a row status. */
export function publicVappStatus(status: string): string {
  return status === VAPP_STATUS.creating ? VAPP_STATUS.instantiating : status;
}

/** The vApp's CloudAPI address. */
export function vappHref(base: string, id: string): string {
  return `${base}/cloudapi/1.0.0/vapps/${toUrn('vapp', id)}`;
}

/** Renders a vApp and its VMs. */
export function vappView({ vapp: r, vdcName, orgName, ownerName }: VappWithRefs, vms: VmRow[], base: string) {
  const names = { vappName: r.name, vdcName, orgName };
  return {
    id: toUrn('vapp', r.id),
    name: r.name,
    description: r.description,
    status: publicVappStatus(r.status),
    statusMessage: r.statusMessage ?? null,
    vdcId: toUrn('vdc', r.vdcId),
    vdc: ref('vdc', r.vdcId, vdcName),
    org: ref('org', r.orgId, orgName),
    owner: ref('user', r.ownerId, ownerName ?? ''),
    catalogItem: r.catalogItemId ? ref('catalogitem', r.catalogItemId, r.catalogItemName ?? r.templateName) : null,
    template: { namespace: r.templateNamespace, name: r.templateName },
    numberOfVMs: vms.length,
    vms: vms.map((vm) => vmView(vm, names, base)),
    href: vappHref(base, r.id),
    createdAt: iso(r.createdAt),
    createdDate: iso(r.createdAt),
    updatedAt: iso(r.updatedAt),
    lastModifiedDate: iso(r.updatedAt),
  };
}
