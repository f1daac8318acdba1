/**
 * Deleting a vApp (docs/kubernetes.md "vApp deletion"), Kubernetes first:
 *
 * 1. refused with 400 BUSY_ENTITY while a VM is powered on (or powering on) unless forced, while
 *    the vApp is still being created, or already being deleted;
 * 2. the row becomes DELETING; forced: the running VMs are stopped (powerOff) first;
 * 3. the instance (Foreground), owned VMs and params Secret are deleted; if the cluster refuses
 *    or answers a failure, nothing was deleted: the row goes back to its previous status and the
 *    client gets the mapped 400 or 503; if no answer came (timeout, connection lost: the deletes
 *    may still land), the deletion will complete (the row stays DELETING and the reconciler
 *    finishes it), so the answer is the 202 of step 4, its task still running;
 * 4. 202 with the vApp (DELETING) and a `vappDelete` task (`Location`); the row goes when its
 *    objects are gone (lib/vapps/finish-delete.ts), then GET answers 403.
 */
import type { Ctx } from '#lib/http/route.ts';
import type { VappWithRefs } from '#db/queries/vapps.ts';
import { updateVapp } from '#db/queries/vapps.ts';
import { findVdc } from '#db/queries/vdcs.ts';
import { vmsOfVapp } from '#db/queries/vms.ts';
import { busyEntity } from '#lib/http/errors.ts';
import { clusterError } from '#lib/http/cluster-errors.ts';
import { K8sError } from '#lib/k8s/errors.ts';
import { actionAllowed } from '#lib/k8s/power.ts';
import { startTask } from '#lib/tasks/service.ts';
import { DELETE_OPERATION, taskTracker } from '#lib/power/tracker.ts';
import { requireCluster } from '#lib/power/start.ts';
import { baseUrl } from '#lib/views/common.ts';
import { taskHref } from '#lib/views/task.ts';
import { finishVappDeletion, pollVappDeletion } from './finish-delete.ts';
import { renderVapp } from './render.ts';
import { outcomeUnknown } from '#lib/k8s/late-writes.ts';
import { VAPP_STATUS, VM_STATUS } from '#db/status.ts';

const RUNNING: string[] = [VM_STATUS.poweredOn, VM_STATUS.poweringOn];

/** Deletes a vApp and answers 202 with it (DELETING) and the task's `Location`. */
export async function deleteVapp(c: Ctx, found: VappWithRefs, force: boolean): Promise<Response> {
  const { db } = c.var;
  const { vapp } = found;
  const what = `Deleting vApp '${vapp.name}'`;
  if (vapp.status === VAPP_STATUS.deleting) throw busyEntity(`vApp '${vapp.name}' is already being deleted`);
  if (vapp.status === VAPP_STATUS.creating) throw busyEntity(`vApp '${vapp.name}' is still being created; try again in a moment`);
  const vms = vmsOfVapp(db, vapp.id);
  const running = vms.filter((vm) => RUNNING.includes(vm.status));
  if (running.length && !force) {
    throw busyEntity(`vApp '${vapp.name}' has ${running.length} powered-on VM(s) (${running.map((v) => v.name).join(', ')}); power it off first or use ?force=true`);
  }
  const k8s = requireCluster(c, what);
  const vdc = findVdc(db, vapp.vdcId)!;
  const before = { status: vapp.status, statusMessage: vapp.statusMessage };
  updateVapp(db, vapp.id, { status: VAPP_STATUS.deleting, statusMessage: null, updatedAt: c.var.now() });
  // Rendered now, while the row surely exists: during the cluster calls below the objects may go
  // and the reconciler remove the row, and the answer is still the 202 of a delete that happened.
  const body = renderVapp(c, vapp.id);
  try {
    if (force) {
      for (const vm of vms) {
        if (actionAllowed('powerOff', vm.status)) continue;
        await k8s.power(vm, 'powerOff').catch((e: unknown) => { if (!(e instanceof K8sError && e.kind === 'notFound')) throw e; });
      }
    }
    await k8s.deleteVappObjects(vdc.namespace, vapp.instanceName, vapp.instanceUid);
  } catch (e) {
    // An answered failure deleted nothing: the vApp goes back. A failure of unknown outcome (the
    // deletes may still land) keeps it DELETING and the reconciler completes the deletion, so the
    // client is told it was accepted (a 503 would invite a retry of a delete that happens anyway).
    if (!outcomeUnknown(e)) {
      updateVapp(db, vapp.id, { ...before, updatedAt: c.var.now() });
      throw clusterError(e, what);
    }
    c.var.log.warn({ vapp: vapp.id, err: (e as Error).message }, 'vApp delete: no answer from the cluster; the reconciler completes it');
  }

  const s = c.var.session!;
  const task = startTask(db, {
    operationName: DELETE_OPERATION, operation: what,
    owner: { type: 'vapp', id: vapp.id, name: vapp.name }, user: { id: s.userId, name: s.username }, org: { id: vapp.orgId, name: found.orgName },
  }, c.var.now());
  taskTracker(k8s, { db, log: c.var.log, taskTimeoutSeconds: c.var.config.taskTimeoutSeconds }).watchDelete(task, vapp.id);
  const gone = await finishVappDeletion(db, k8s, vapp).catch(() => false);
  if (!gone) pollVappDeletion(db, k8s, c.var.log, vapp.id);
  return c.json(body, 202, { Location: taskHref(baseUrl(c), task.id) });
}
