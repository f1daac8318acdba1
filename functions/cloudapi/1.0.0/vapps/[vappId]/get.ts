/**
 * GET /cloudapi/1.0.0/vapps/{vappId} — one vApp with its VMs.
 * 200 vApp; 400 BAD_REQUEST for a malformed URN; 403 when it does not exist or the caller may
 * not see it (another org's, or another user's for a vApp User).
 */
import { defineRoute } from '#lib/http/route.ts';
import { visibleVapp } from '#lib/vapps/visible.ts';
import { renderVapp } from '#lib/vapps/render.ts';

export default defineRoute({ summary: 'Get a vApp', params: { vappId: 'vapp' } }, function getVapp(c, { params }) {
  return c.json(renderVapp(c, visibleVapp(c, params.vappId).vapp.id));
});
