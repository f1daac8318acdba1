/**
 * VM lists (`/vms`, `/vapps/{id}/vms`): scope from the role table (a vApp User sees the VMs of
 * the vApps they own), filter and one page in SQL.
 */
import { eq, type SQL } from 'drizzle-orm';
import type { Ctx } from '#lib/http/route.ts';
import { pageResponse, planList, whereAll, type Fields, type ListQuery } from '#lib/http/list.ts';
import { listScope } from '#lib/authz.ts';
import { listVmsWithRefs } from '#db/queries/vms.ts';
import { vapps, vdcs, vms } from '#db/schema.ts';
import { baseUrl } from '#lib/views/common.ts';
import { vmView } from '#lib/views/vm.ts';

export const VM_FIELDS: Fields = {
  id: { col: vms.id, type: 'urn', urnType: 'vm' },
  name: { col: vms.name, type: 'string' },
  status: { col: vms.status, type: 'string' },
  guestOs: { col: vms.guestOs, type: 'string' },
  'vapp.id': { col: vms.vappId, type: 'urn', urnType: 'vapp' },
  'vapp.name': { col: vapps.name, type: 'string' },
  'vdc.id': { col: vms.vdcId, type: 'urn', urnType: 'vdc' },
  'vdc.name': { col: vdcs.name, type: 'string' },
  'org.id': { col: vms.orgId, type: 'urn', urnType: 'org' },
  createdDate: { col: vms.createdAt, type: 'date' },
  lastModifiedDate: { col: vms.updatedAt, type: 'date' },
};

/** Answers one page of the VMs the caller may see, narrowed by `extra`. */
export function listVisibleVms(c: Ctx, query: ListQuery, extra?: SQL): Response {
  const plan = planList(query, VM_FIELDS);
  const scope = listScope(c.var.session!, 'vm');
  const where = whereAll(
    scope.orgId ? eq(vms.orgId, scope.orgId) : undefined,
    scope.ownerId ? eq(vapps.ownerId, scope.ownerId) : undefined,
    extra, plan.where,
  );
  const { total, rows } = listVmsWithRefs(c.var.db, plan, where);
  const base = baseUrl(c);
  return pageResponse(c, plan, total, rows.map((r) => vmView(r.vm, r, base)));
}
