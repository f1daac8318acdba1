/**
 * PUT /api/admin/org/{orgId}/vdcs/{vdcId} — replace a VDC's editable fields (System
 * Administrators); absent fields take their create defaults, the namespace never changes.
 * 200 VDC with its `ETag`. 400 BAD_REQUEST for invalid fields, a malformed URN or If-Match, 400
 * DUPLICATE_NAME for a taken name, 400 BUSY_ENTITY while the VDC is being deleted, 403 for other
 * roles, an unknown org, or a VDC that does not exist or belongs to another org, 412
 * PRECONDITION_FAILED when `If-Match` names another version (lib/http/etag.ts).
 */
import { defineRoute } from '#lib/http/route.ts';
import { adminVdc } from '#lib/vdcs/visible.ts';
import { VdcPutSchema } from '#lib/vdcs/schema.ts';
import { applyVdcUpdate } from '#lib/vdcs/update.ts';
import { checkVdcIfMatch, vdcAnswer } from './_answer.ts';

export default defineRoute({ summary: 'Replace a VDC (admin)', params: { orgId: 'org', vdcId: 'vdc' }, body: VdcPutSchema }, async function putOrgVdc(c, { params, body }) {
  const current = adminVdc(c, params.orgId, params.vdcId, 'update');
  checkVdcIfMatch(c, current);
  await applyVdcUpdate(c, current, body, 'replace');
  return vdcAnswer(c, params.vdcId);
});
