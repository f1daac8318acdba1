/**
 * PATCH /api/admin/org/{orgId}/vdcs/{vdcId} — change only the given fields of a VDC (System
 * Administrators; `computeCapacity` is merged per sub-field). Same answers as PUT.
 */
import { defineRoute } from '#lib/http/route.ts';
import { adminVdc } from '#lib/vdcs/visible.ts';
import { VdcPatchSchema } from '#lib/vdcs/schema.ts';
import { applyVdcUpdate } from '#lib/vdcs/update.ts';

export default defineRoute({ summary: 'Update a VDC partially (admin)', params: { orgId: 'org', vdcId: 'vdc' }, body: VdcPatchSchema }, function patchOrgVdc(c, { params, body }) {
  return applyVdcUpdate(c, adminVdc(c, params.orgId, params.vdcId, 'update'), body, 'merge');
});
