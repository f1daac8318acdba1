/**
 * The reconciler's part for vApps (docs/architecture.md "Reconciler"): rows left CREATING or DELETING by a
 * crash or a failed call, and TemplateInstances in our namespaces that no row claims.
 *
 * - CREATING: the request that wrote the row never answered the client (the process died between
 *   the row and the cluster call, or during it), so the instantiation is undone — whatever reached
 *   the cluster is deleted and the row follows as a deletion. Finishing it instead would leave a
 *   vApp the client does not know about and make its retry fail with DUPLICATE_NAME.
 * - DELETING: the objects are deleted again (idempotent) and the row goes once they are gone.
 * - An instance labelled with a vApp id that has no row (an instantiation undone before its
 *   delayed create landed, or a cleanup that failed after the row went) is deleted with its
 *   params Secret. Only instances in namespaces of our VDC rows are touched.
 */
import type { Db } from '#db/client.ts';
import type { Log } from '#lib/log.ts';
import type { Cluster } from '#lib/k8s/cluster.ts';
import { findVapp, updateVapp, type VappRow } from '#db/queries/vapps.ts';
import { findVdc } from '#db/queries/vdcs.ts';
import { undoStarted } from '#lib/k8s/late-writes.ts';
import { finishVappDeletion } from './finish-delete.ts';
import { VAPP_STATUS } from '#db/status.ts';

/** Drives a vApp row left CREATING or DELETING; true when it changed something. */
export async function repairVapp(db: Db, k8s: Cluster, log: Log, vapp: VappRow, now: number): Promise<boolean> {
  const vdc = findVdc(db, vapp.vdcId);
  if (vapp.status === VAPP_STATUS.creating) {
    const uid = vdc ? await k8s.deleteVappObjects(vdc.namespace, vapp.instanceName, vapp.instanceUid) : null;
    // Re-read: a request of this process may have moved the row on meanwhile.
    if (findVapp(db, vapp.id)?.status !== VAPP_STATUS.creating) return false;
    updateVapp(db, vapp.id, {
      status: VAPP_STATUS.deleting, instanceUid: uid ?? vapp.instanceUid, updatedAt: now,
      // The dead process's calls may still land: keep the row for the late-write window.
      ...undoStarted(now),
    });
    log.warn({ vapp: vapp.id }, 'vApp left CREATING by an interrupted instantiation: undone');
    await finishVappDeletion(db, k8s, vapp);
    return true;
  }
  if (vapp.status === VAPP_STATUS.deleting) {
    if (vdc) await k8s.deleteVappObjects(vdc.namespace, vapp.instanceName, vapp.instanceUid);
    return finishVappDeletion(db, k8s, vapp);
  }
  return false;
}

/** A TemplateInstance as the informer cache holds it. */
export interface CachedInstance {
  metadata?: { name?: string; namespace?: string; uid?: string; labels?: Record<string, string>; deletionTimestamp?: unknown };
}

/**
 * Deletes instances labelled with a vApp id that has no row, in the given (our VDCs')
 * namespaces; returns how many it deleted.
 */
export async function sweepOrphanInstances(db: Db, k8s: Cluster, log: Log, instances: readonly CachedInstance[], ourNamespaces: Set<string>, vappIdLabel: string): Promise<number> {
  let n = 0;
  for (const ti of instances) {
    const { name, namespace, uid, labels, deletionTimestamp } = ti.metadata ?? {};
    const vappId = labels?.[vappIdLabel];
    if (!name || !namespace || !vappId || deletionTimestamp || !ourNamespaces.has(namespace)) continue;
    if (findVapp(db, vappId)) continue;
    await k8s.deleteVappObjects(namespace, name, uid ?? null);
    log.warn({ namespace, instance: name, vapp: vappId }, 'TemplateInstance of a vApp that no row claims: deleted');
    n++;
  }
  return n;
}
