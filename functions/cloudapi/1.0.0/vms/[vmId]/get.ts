/**
 * GET /cloudapi/1.0.0/vms/{vmId} — one VM (hardware, addresses, Kubernetes identity).
 * 200 VM; 400 BAD_REQUEST for a malformed URN; 403 when it does not exist or is not visible.
 */
import { defineRoute } from '#lib/http/route.ts';
import { visibleVm } from '#lib/vms/visible.ts';
import { baseUrl } from '#lib/views/common.ts';
import { vmView } from '#lib/views/vm.ts';

export default defineRoute({ summary: 'Get a VM', params: { vmId: 'vm' } }, function getVm(c, { params }) {
  const found = visibleVm(c, params.vmId);
  return c.json(vmView(found.vm, found, baseUrl(c)));
});
