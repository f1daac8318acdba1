/**
 * The end of a vApp deletion (docs/kubernetes.md "vApp deletion"): once nothing of the vApp remains in the
 * cluster, the row goes (its VM rows with it) and its deletion tasks end `success`. Called right
 * after the delete request, on every instance/VM event (ClusterRuntime `onVappSettled`), by a
 * bounded poll, and by the reconciler.
 */
import type { Db } from '#db/client.ts';
import type { Log } from '#lib/log.ts';
import type { Cluster } from '#lib/k8s/cluster.ts';
import { deleteVappRow, findVapp, type VappRow } from '#db/queries/vapps.ts';
import { findVdc } from '#db/queries/vdcs.ts';
import { runningTasks } from '#db/queries/tasks.ts';
import { finishTask } from '#lib/tasks/service.ts';
import { DELETE_OPERATION } from '#lib/power/tracker.ts';
import { lateWritesPossible } from '#lib/k8s/late-writes.ts';
import { TASK_STATUS, VAPP_STATUS } from '#db/status.ts';

/** Deletes a DELETING vApp's row if its objects are gone; true when the row is gone. */
export async function finishVappDeletion(db: Db, k8s: Cluster, vapp: Pick<VappRow, 'id'>): Promise<boolean> {
  const row = findVapp(db, vapp.id);
  if (!row) return true;
  if (row.status !== VAPP_STATUS.deleting) return false;
  if (lateWritesPossible(row, k8s, Date.now())) return false;
  const vdc = findVdc(db, row.vdcId);
  if (vdc && await k8s.vappObjectsRemain(vdc.namespace, row.instanceName, row.instanceUid)) return false;
  // Re-read: the row may have gone (or changed) while the cluster answered.
  if (findVapp(db, row.id)?.status !== VAPP_STATUS.deleting) return !findVapp(db, row.id);
  deleteVappRow(db, row.id);
  for (const task of runningTasks(db, [DELETE_OPERATION], row.id)) finishTask(db, task.id, { status: TASK_STATUS.success });
  return true;
}

/** Delays of the fallback poll after a delete request (ms); events normally finish sooner. */
const POLL_DELAYS = [250, 500, 1_000, 2_000, 4_000, 8_000, 15_000, 30_000, 60_000];

/**
 * Polls a bounded number of times in case an event is missed (a dropped watch); the reconciler
 * covers anything longer.
 */
export function pollVappDeletion(db: Db, k8s: Cluster, log: Log, vappId: string): void {
  let i = 0;
  const next = () => {
    if (i >= POLL_DELAYS.length) return;
    const timer = setTimeout(async () => {
      try {
        if (await finishVappDeletion(db, k8s, { id: vappId })) return;
      } catch (e) {
        log.debug({ vapp: vappId, err: (e as Error).message }, 'vApp deletion check failed; retrying');
      }
      i++;
      next();
    }, POLL_DELAYS[i]);
    timer.unref();
  };
  next();
}
