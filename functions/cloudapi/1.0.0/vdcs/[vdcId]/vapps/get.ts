/**
 * GET /cloudapi/1.0.0/vdcs/{vdcId}/vapps — the vApps of one VDC that the caller may see, paged
 * (same fields and filters as GET /vapps).
 * 400 BAD_REQUEST for a malformed URN, bad paging or filters; 403 when the VDC is invisible.
 */
import { eq } from 'drizzle-orm';
import { defineRoute } from '#lib/http/route.ts';
import { ListQuerySchema } from '#lib/http/list.ts';
import { visibleVdc } from '#lib/vdcs/visible.ts';
import { listVisibleVapps } from '#lib/vapps/list.ts';
import { vapps } from '#db/schema.ts';

export default defineRoute({ summary: 'List the vApps of a VDC', params: { vdcId: 'vdc' }, query: ListQuerySchema }, function listVdcVapps(c, { params, query }) {
  const { vdc } = visibleVdc(c, params.vdcId);
  return listVisibleVapps(c, query, eq(vapps.vdcId, vdc.id));
});
