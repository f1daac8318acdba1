/**
 * DELETE /api/admin/org/{orgId}/vdcs/{vdcId}[?force=true|?recursive=true] — delete a VDC (System
 * Administrators). 204 when nothing is left to wait for (no cluster, or the namespace already gone),
 * else 202 with the VDC DELETING while its namespace goes; its vApps and VMs go with it when forced.
 * 400 BUSY_ENTITY while it has vApps and neither flag is set; 400 BAD_REQUEST for a malformed URN
 * or flag; 403 for other roles, an unknown org, or a VDC that does not exist or belongs to another org.
 */
import { defineRoute } from '#lib/http/route.ts';
import { ForceQuerySchema } from '#lib/validation.ts';
import { adminVdc } from '#lib/vdcs/visible.ts';
import { deleteVdc } from '#lib/vdcs/delete.ts';

export default defineRoute({ summary: 'Delete a VDC (admin)', params: { orgId: 'org', vdcId: 'vdc' }, query: ForceQuerySchema }, function deleteOrgVdc(c, { params, query }) {
  const { vdc } = adminVdc(c, params.orgId, params.vdcId, 'delete');
  return deleteVdc(c, vdc, query.force === 'true' || query.recursive === 'true');
});
