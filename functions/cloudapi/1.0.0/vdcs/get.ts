/**
 * GET /cloudapi/1.0.0/vdcs — the VDCs the caller may see (their org's; all for System
 * Administrators, narrowed by the tenant context), paged.
 * Filter/sort fields: id, name, description, org.id, org.name, isEnabled, status, allocationModel,
 * namespace, createdDate, lastModifiedDate. 400 BAD_REQUEST for bad paging or filters.
 */
import { eq } from 'drizzle-orm';
import { defineRoute } from '#lib/http/route.ts';
import { ListQuerySchema, pageResponse, planList, whereAll } from '#lib/http/list.ts';
import { listScope } from '#lib/authz.ts';
import { listVdcs } from '#db/queries/vdcs.ts';
import { vdcs } from '#db/schema.ts';
import { VDC_FIELDS } from '#lib/vdcs/schema.ts';
import { renderVdc } from '#lib/vdcs/render.ts';

export default defineRoute({ summary: 'List VDCs', query: ListQuerySchema }, function listVdcsHandler(c, { query }) {
  const plan = planList(query, VDC_FIELDS);
  const scope = listScope(c.var.session, 'vdc');
  const { total, rows } = listVdcs(c.var.db, plan, whereAll(scope.orgId ? eq(vdcs.orgId, scope.orgId) : undefined, plan.where));
  return pageResponse(c, plan, total, rows.map((r) => renderVdc(c, r)));
});
