/**
 * Starting a power action (VM or vApp): a Task owned by the VM or vApp, the action sent to each
 * VM, and an answer of 202 with the Task once the cluster accepted each VM's first call. The task
 * is watched before the action is sent, so no status change can slip between the two. A call that
 * fails at once ends the task in error and answers the mapped error instead (503 when the cluster
 * is away, 400 when it refuses); a later step that fails (the runStrategy reboot's restart) ends
 * the task in error with its reason.
 */
import type { Ctx } from '#lib/http/route.ts';
import type { VmRow } from '#db/queries/vms.ts';
import { findTask } from '#db/queries/tasks.ts';
import type { PowerAction } from '#lib/k8s/power.ts';
import { startTask } from '#lib/tasks/service.ts';
import { badRequest, clusterUnavailable } from '#lib/http/errors.ts';
import { clusterError, noCluster } from '#lib/http/cluster-errors.ts';
import { classify } from '#lib/k8s/errors.ts';
import { baseUrl } from '#lib/views/common.ts';
import { taskHref, taskView } from '#lib/views/task.ts';
import { powerOperation, taskTracker } from './tracker.ts';
import { TASK_STATUS } from '#db/status.ts';

const VERB: Record<PowerAction, string> = {
  powerOn: 'Powering on', powerOff: 'Powering off', reboot: 'Rebooting', reset: 'Resetting', suspend: 'Suspending', shutdown: 'Shutting down',
};

export interface PowerTarget {
  kind: 'vm' | 'vapp';
  id: string;
  name: string;
  orgId: string;
  orgName: string;
}

/** Throws the 503 when no cluster is configured or it is known to be away. */
export function requireCluster(c: Ctx, what: string) {
  const k8s = c.var.k8s;
  if (!k8s) throw noCluster(what);
  if (!k8s.reachable()) throw clusterUnavailable(`${what}: the Kubernetes API is unreachable; try again later`);
  return k8s;
}

/** Sends `action` to `vms` under one task and answers 202 with it. */
export async function startPower(c: Ctx, target: PowerTarget, vms: VmRow[], action: PowerAction): Promise<Response> {
  const what = `${VERB[action]} ${target.kind === 'vm' ? 'VM' : 'vApp'} ${target.name}`;
  const k8s = requireCluster(c, what);
  const { db, session } = c.var;
  const task = startTask(db, {
    operationName: powerOperation(target.kind, action),
    operation: what,
    owner: { type: target.kind, id: target.id, name: target.name },
    user: { id: session!.userId, name: session!.username },
    org: { id: target.orgId, name: target.orgName },
  }, c.var.now());
  const tracker = taskTracker(k8s, { db, log: c.var.log, taskTimeoutSeconds: c.var.config.taskTimeoutSeconds });
  tracker.watchPower(task, vms.map((v) => v.id), action);

  // A failure, now or in a later step of the action, ends the task in error with the mapped reason.
  const failTask = (reason: unknown) => {
    const e = reason as { unsupported?: boolean };
    const apiError = e?.unsupported
      ? badRequest(`${what}: ${action} is not possible on this cluster: it does not serve the KubeVirt subresource API`)
      : clusterError(reason, what);
    const message = apiError instanceof Error ? apiError.message : classify(reason).message;
    tracker.finish(task.id, { status: TASK_STATUS.error, error: { minorErrorCode: e?.unsupported ? 'BAD_REQUEST' : 'CLUSTER_UNAVAILABLE', message } });
    return apiError;
  };
  const results = await Promise.allSettled(vms.map((vm) => k8s.power(vm, action)));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failTask(failed.reason);
  for (const r of results) {
    if (r.status === 'fulfilled') void r.value.rest.then((e) => { if (e !== undefined) failTask(e); });
  }
  const base = baseUrl(c);
  return c.json(taskView(findTask(db, task.id)!, base), 202, { Location: taskHref(base, task.id) });
}
