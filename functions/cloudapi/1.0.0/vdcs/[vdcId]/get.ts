/**
 * GET /cloudapi/1.0.0/vdcs/{vdcId} — one VDC (tenant view).
 * 200 VDC; 400 BAD_REQUEST for a malformed URN; 403 when it does not exist or is another org's.
 */
import { defineRoute } from '#lib/http/route.ts';
import { visibleVdc } from '#lib/vdcs/visible.ts';
import { renderVdc } from '#lib/vdcs/render.ts';

export default defineRoute({ summary: 'Get a VDC', params: { vdcId: 'vdc' } }, function getVdc(c, { params }) {
  return c.json(renderVdc(c, visibleVdc(c, params.vdcId)));
});
