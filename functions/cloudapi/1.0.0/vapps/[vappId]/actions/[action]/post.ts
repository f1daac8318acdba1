/**
 * POST /cloudapi/1.0.0/vapps/{vappId}/actions/{powerOn|powerOff|reboot|reset|suspend|shutdown} —
 * the action on every VM of the vApp for which it fits (body ignored). 202 with a Task
 * (`Location: <base>/api/task/<uuid>`) that ends `success` when all those VMs reach the target.
 * 400 BAD_REQUEST for a malformed URN or when the action fits none of the VMs (the message names
 * the vApp's status); 400 BUSY_ENTITY while the vApp is being created or deleted, has no VMs yet,
 * or for powerOn in a disabled VDC; 403 when invisible or not allowed; 404 for an unknown action;
 * 503 CLUSTER_UNAVAILABLE without a (reachable) cluster.
 */
import { defineRoute } from '#lib/http/route.ts';
import { badRequest, busyEntity } from '#lib/http/errors.ts';
import { actionAllowed } from '#lib/k8s/power.ts';
import { findVdc } from '#db/queries/vdcs.ts';
import { vmsOfVapp } from '#db/queries/vms.ts';
import { visibleVapp } from '#lib/vapps/visible.ts';
import { publicVappStatus } from '#lib/views/vapp.ts';
import { powerAction } from '#lib/power/action.ts';
import { startPower } from '#lib/power/start.ts';
import { VAPP_STATUS } from '#db/status.ts';

export default defineRoute({ summary: 'Power action on a vApp', params: { vappId: 'vapp', action: 'string' } }, async function powerVapp(c, { params }) {
  const action = powerAction(c, params.action);
  const { vapp, orgName, vdcName } = visibleVapp(c, params.vappId, 'power');
  const status = publicVappStatus(vapp.status);
  if (vapp.status === VAPP_STATUS.creating || vapp.status === VAPP_STATUS.deleting) throw busyEntity(`vApp '${vapp.name}' is ${status}`);
  if (action === 'powerOn' && !findVdc(c.var.db, vapp.vdcId)?.isEnabled) throw busyEntity(`VDC '${vdcName}' is disabled: vApps cannot be powered on`);
  const vms = vmsOfVapp(c.var.db, vapp.id);
  if (vms.length === 0) throw busyEntity(`vApp '${vapp.name}' has no VMs yet (status ${status})`);
  const targets = vms.filter((vm) => !actionAllowed(action, vm.status));
  if (targets.length === 0) throw badRequest(`cannot ${action} a vApp whose status is ${status}`);
  return startPower(c, { kind: 'vapp', id: vapp.id, name: vapp.name, orgId: vapp.orgId, orgName }, targets, action);
});
