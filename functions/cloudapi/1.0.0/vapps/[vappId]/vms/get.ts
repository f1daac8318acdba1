/**
 * GET /cloudapi/1.0.0/vapps/{vappId}/vms — the VMs of one vApp, paged (same fields and filters
 * as GET /vms).
 * 400 BAD_REQUEST for a malformed URN, bad paging or filters; 403 when the vApp is invisible.
 */
import { eq } from 'drizzle-orm';
import { defineRoute } from '#lib/http/route.ts';
import { ListQuerySchema } from '#lib/http/list.ts';
import { visibleVapp } from '#lib/vapps/visible.ts';
import { listVisibleVms } from '#lib/vms/list.ts';
import { vms } from '#db/schema.ts';

export default defineRoute({ summary: 'List the VMs of a vApp', params: { vappId: 'vapp' }, query: ListQuerySchema }, function listVappVms(c, { params, query }) {
  const { vapp } = visibleVapp(c, params.vappId);
  return listVisibleVms(c, query, eq(vms.vappId, vapp.id));
});
