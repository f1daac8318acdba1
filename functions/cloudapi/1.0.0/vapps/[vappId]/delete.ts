/**
 * DELETE /cloudapi/1.0.0/vapps/{vappId}[?force=true] — deletes a vApp, Kubernetes first.
 * 202 with the vApp in status DELETING and `Location` of its `vappDelete` task; the vApp
 * disappears (then GET answers 403) when its cluster objects are gone.
 * 400 BAD_REQUEST for a malformed URN or force value; 400 BUSY_ENTITY while a VM is powered on
 * (unless forced: they are stopped first), while the vApp is being created or already being
 * deleted; 403 when invisible or not allowed; 503 CLUSTER_UNAVAILABLE without a (reachable)
 * cluster or when the cluster fails (the vApp keeps its status).
 */
import { defineRoute } from '#lib/http/route.ts';
import { ForceQuerySchema } from '#lib/validation.ts';
import { visibleVapp } from '#lib/vapps/visible.ts';
import { deleteVapp } from '#lib/vapps/delete.ts';

export default defineRoute({ summary: 'Delete a vApp', params: { vappId: 'vapp' }, query: ForceQuerySchema }, async function deleteVappHandler(c, { params, query }) {
  return deleteVapp(c, visibleVapp(c, params.vappId, 'delete'), query.force === 'true');
});
