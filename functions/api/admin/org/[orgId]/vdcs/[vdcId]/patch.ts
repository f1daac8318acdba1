/**
 * PATCH /api/admin/org/{orgId}/vdcs/{vdcId} — change only the given fields of a VDC (System
 * Administrators; `computeCapacity` is merged per sub-field). Same answers as PUT, If-Match and
 * ETag included.
 */
import { defineRoute } from '#lib/http/route.ts';
import { adminVdc } from '#lib/vdcs/visible.ts';
import { VdcPatchSchema } from '#lib/vdcs/schema.ts';
import { applyVdcUpdate } from '#lib/vdcs/update.ts';
import { checkVdcIfMatch, vdcAnswer } from './_answer.ts';

export default defineRoute({ summary: 'Update a VDC partially (admin)', params: { orgId: 'org', vdcId: 'vdc' }, body: VdcPatchSchema }, async function patchOrgVdc(c, { params, body }) {
  const current = adminVdc(c, params.orgId, params.vdcId, 'update');
  checkVdcIfMatch(c, current);
  await applyVdcUpdate(c, current, body, 'merge');
  return vdcAnswer(c, params.vdcId);
});
