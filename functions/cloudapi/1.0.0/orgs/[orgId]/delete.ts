/**
 * DELETE /cloudapi/1.0.0/orgs/{orgId}[?force=true] — delete an organization (System Administrators).
 * 204. 400 BUSY_ENTITY while it has VDCs, catalogs or users unless forced; 400 BAD_REQUEST for
 * Provider; 403 for other roles or an invisible org.
 */
import { defineRoute } from '#lib/http/route.ts';
import { ForceQuerySchema } from '#lib/validation.ts';
import { visibleOrg } from '#lib/orgs/visible.ts';
import { deleteOrgCascade, orgContents } from '#db/queries/orgs.ts';
import { badRequest, busyEntity } from '#lib/http/errors.ts';

export default defineRoute({ summary: 'Delete an organization', params: { orgId: 'org' }, query: ForceQuerySchema }, function deleteOrg(c, { params, query }) {
  const org = visibleOrg(c, params.orgId, 'delete');
  if (org.isProvider) throw badRequest('The Provider organization cannot be deleted');
  const force = query.force === 'true' || query.recursive === 'true';
  const n = orgContents(c.var.db, org.id);
  if (!force && (n.vdcs || n.catalogs || n.users)) {
    throw busyEntity(`Organization '${org.name}' still has ${n.vdcs} VDC(s), ${n.catalogs} catalog(s) and ${n.users} user(s); delete them first or use ?force=true`);
  }
  deleteOrgCascade(c.var.db, org.id);
  return c.body(null, 204);
});
