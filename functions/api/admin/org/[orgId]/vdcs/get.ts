/**
 * GET /api/admin/org/{orgId}/vdcs — the org's VDCs, paged (System Administrators).
 * Same filter/sort fields as GET /cloudapi/1.0.0/vdcs. 400 BAD_REQUEST for a malformed URN, bad
 * paging or filters; 403 for other roles or an unknown org.
 */
import { eq } from 'drizzle-orm';
import { defineRoute } from '#lib/http/route.ts';
import { ListQuerySchema, pageResponse, planList, whereAll } from '#lib/http/list.ts';
import { listVdcs } from '#db/queries/vdcs.ts';
import { vdcs } from '#db/schema.ts';
import { adminOrg } from '#lib/vdcs/visible.ts';
import { VDC_FIELDS } from '#lib/vdcs/schema.ts';
import { renderVdc } from '#lib/vdcs/render.ts';

export default defineRoute({ summary: 'List an organization\'s VDCs (admin)', params: { orgId: 'org' }, query: ListQuerySchema }, function listOrgVdcs(c, { params, query }) {
  const org = adminOrg(c, params.orgId, 'read');
  const plan = planList(query, VDC_FIELDS);
  const { total, rows } = listVdcs(c.var.db, plan, whereAll(eq(vdcs.orgId, org.id), plan.where));
  return pageResponse(c, plan, total, rows.map((r) => renderVdc(c, r)));
});
