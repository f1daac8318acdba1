/**
 * GET /cloudapi/1.0.0/vapps — the vApps the caller may see (all for System Administrators,
 * narrowed by the tenant context; the org's for Organization Administrators; their own for vApp
 * Users), each with its VMs, paged.
 * Filter/sort fields: id, name, description, status, vdc.id, vdc.name, org.id, owner.id,
 * owner.name, template.name, createdDate, lastModifiedDate. 400 BAD_REQUEST for bad paging or filters.
 */
import { defineRoute } from '#lib/http/route.ts';
import { ListQuerySchema } from '#lib/http/list.ts';
import { listVisibleVapps } from '#lib/vapps/list.ts';

export default defineRoute({ summary: 'List vApps', query: ListQuerySchema }, function listVapps(c, { query }) {
  return listVisibleVapps(c, query);
});
