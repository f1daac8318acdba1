/**
 * DELETE /cloudapi/1.0.0/orgs/{orgId}[?force=true] — delete an organization (System Administrators).
 * 204. 400 BUSY_ENTITY while it has VDCs, catalogs or users unless forced (then its VDC
 * namespaces are deleted first); 400 BAD_REQUEST for Provider; 403 for other roles or an
 * invisible org; 503 CLUSTER_UNAVAILABLE when a namespace cannot be deleted (nothing is deleted).
 */
import { defineRoute } from '#lib/http/route.ts';
import { ForceQuerySchema } from '#lib/validation.ts';
import { visibleOrg } from '#lib/orgs/visible.ts';
import { deleteOrg } from '#lib/orgs/delete.ts';

export default defineRoute({ summary: 'Delete an organization', params: { orgId: 'org' }, query: ForceQuerySchema }, function deleteOrgHandler(c, { params, query }) {
  const org = visibleOrg(c, params.orgId, 'delete');
  return deleteOrg(c, org, query.force === 'true' || query.recursive === 'true');
});
