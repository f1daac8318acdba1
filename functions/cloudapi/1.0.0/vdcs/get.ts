/**
 * GET /cloudapi/1.0.0/vdcs — the VDCs the caller may see (their org's; all for System
 * Administrators, narrowed by the tenant context), paged. Pages are cached until the next
 * database write or quota change (lib/http/page-cache.ts).
 * Filter/sort fields: id, name, description, org.id, org.name, isEnabled, status, allocationModel,
 * namespace, createdDate, lastModifiedDate. 400 BAD_REQUEST for bad paging or filters.
 */
import { eq } from 'drizzle-orm';
import { defineRoute } from '#lib/http/route.ts';
import { ListQuerySchema, planList, whereAll } from '#lib/http/list.ts';
import { cachedPage, UNCACHEABLE } from '#lib/http/page-cache.ts';
import { listScope, scopeKey } from '#lib/authz.ts';
import { listVdcs } from '#db/queries/vdcs.ts';
import { vdcs } from '#db/schema.ts';
import { VDC_FIELDS } from '#lib/vdcs/schema.ts';
import { renderVdc } from '#lib/vdcs/render.ts';

export default defineRoute({ summary: 'List VDCs', query: ListQuerySchema }, function listVdcsHandler(c, { query }) {
  const scope = listScope(c.var.session, 'vdc');
  const { k8s } = c.var;
  const quotas = k8s ? (k8s.quotaVersion?.() ?? UNCACHEABLE) : 0;
  return cachedPage(c, scopeKey(scope), quotas, () => {
    const plan = planList(query, VDC_FIELDS);
    const { total, rows } = listVdcs(c.var.db, plan, whereAll(scope.orgId ? eq(vdcs.orgId, scope.orgId) : undefined, plan.where));
    return { plan, total, values: rows.map((r) => renderVdc(c, r)) };
  });
});
