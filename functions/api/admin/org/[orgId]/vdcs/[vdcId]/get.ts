/**
 * GET /api/admin/org/{orgId}/vdcs/{vdcId} — one VDC (System Administrators).
 * 200 VDC with its `ETag` (for If-Match on PUT/PATCH); 400 BAD_REQUEST for a malformed URN; 403
 * for other roles, an unknown org, or a VDC that does not exist or belongs to another org.
 */
import { defineRoute } from '#lib/http/route.ts';
import { adminVdc } from '#lib/vdcs/visible.ts';
import { renderVdc } from '#lib/vdcs/render.ts';
import { etagHeader } from '#lib/http/etag.ts';

export default defineRoute({ summary: 'Get a VDC (admin)', params: { orgId: 'org', vdcId: 'vdc' } }, function getOrgVdc(c, { params }) {
  const row = adminVdc(c, params.orgId, params.vdcId, 'read');
  return c.json(renderVdc(c, row), 200, etagHeader(row.vdc.version));
});
