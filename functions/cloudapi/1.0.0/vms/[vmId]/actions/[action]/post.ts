/**
 * POST /cloudapi/1.0.0/vms/{vmId}/actions/{powerOn|powerOff|reboot|reset|suspend|shutdown} — a
 * power action on one VM (body ignored; empty is fine). 202 with a Task (`Location:
 * <base>/api/task/<uuid>`) that ends `success` when the VM reaches the action's target status.
 * 400 BAD_REQUEST for a malformed URN, an action that does not fit the VM's status (the message
 * names it) or suspend on a cluster without the subresource API; 400 BUSY_ENTITY for powerOn in
 * a disabled VDC; 403 when the VM is invisible or the caller may not power it; 404 for an
 * unknown action; 503 CLUSTER_UNAVAILABLE without a (reachable) cluster.
 */
import { defineRoute } from '#lib/http/route.ts';
import { badRequest, busyEntity } from '#lib/http/errors.ts';
import { actionAllowed } from '#lib/k8s/power.ts';
import { visibleVm } from '#lib/vms/visible.ts';
import { powerAction } from '#lib/power/action.ts';
import { startPower } from '#lib/power/start.ts';

export default defineRoute({ summary: 'Power action on a VM', params: { vmId: 'vm', action: 'string' } }, async function powerVm(c, { params }) {
  const action = powerAction(c, params.action);
  const found = visibleVm(c, params.vmId, 'power');
  const { vm } = found;
  if (action === 'powerOn' && !found.vdcEnabled) throw busyEntity(`VDC '${found.vdcName}' is disabled: VMs cannot be powered on`);
  const refused = actionAllowed(action, vm.status);
  if (refused) throw badRequest(refused);
  return startPower(c, { kind: 'vm', id: vm.id, name: vm.name, orgId: vm.orgId, orgName: found.orgName }, [vm], action);
});
