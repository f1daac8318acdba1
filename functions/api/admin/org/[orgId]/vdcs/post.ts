/**
 * POST /api/admin/org/{orgId}/vdcs — create a VDC in the org (System Administrators; a disabled
 * org is allowed, see lib/vdcs/create.ts).
 * 201 VDC with `Location`, status PENDING_CLUSTER until the cluster side exists. 400 BAD_REQUEST
 * for invalid fields or a malformed URN, 400 DUPLICATE_NAME when the org already has a VDC of that
 * name (case-insensitive), 403 for other roles or an unknown org.
 */
import { defineRoute } from '#lib/http/route.ts';
import { adminOrg } from '#lib/vdcs/visible.ts';
import { VdcCreateSchema } from '#lib/vdcs/schema.ts';
import { createVdc } from '#lib/vdcs/create.ts';

export default defineRoute({ summary: 'Create a VDC (admin)', params: { orgId: 'org' }, body: VdcCreateSchema }, function createOrgVdc(c, { params, body }) {
  return createVdc(c, adminOrg(c, params.orgId, 'create'), body);
});
