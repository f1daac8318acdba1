/**
 * Deleting a VDC (admin API). The flow, in order (docs/architecture.md "Delete", docs/kubernetes.md "VDC deletion"):
 *
 * 1. validate — refused with 400 BUSY_ENTITY while the VDC has vApps, unless forced
 *    (`?force=true` or `?recursive=true`).
 * 2. cluster step — Kubernetes first: the row is marked DELETING and the namespace deletion is
 *    requested (Background propagation; it takes the vApps' objects with it). If the namespace is
 *    already gone the rows go at once (204); otherwise the answer is 202 with the VDC DELETING
 *    and the row goes when the namespace is gone (namespace watch, reconciler). When no answer
 *    comes (the cluster away or too slow) the row stays DELETING and the reconciler finishes the
 *    deletion: that is a deletion accepted, so the answer is the same 202 (a 503 would invite a
 *    retry of a delete that happens anyway); a refusal or an answered failure deleted nothing,
 *    puts the row back and answers the mapped 400 or 503.
 * 3. no cluster (or a VDC that never got one) — the VDC with its vApps and VMs is removed in one
 *    transaction; its name is free again; 204.
 *
 * The vApp count and the status change run with no await between them, so no request of this
 * process can add a vApp in between.
 */
import type { Ctx } from '#lib/http/route.ts';
import { deleteVdcCascade, findVdc, findVdcWithOrg, updateVdc, vdcVappCount, type VdcRow } from '#db/queries/vdcs.ts';
import { finishVdcDeletion } from './provision.ts';
import { renderVdc } from './render.ts';
import { clusterError } from '#lib/http/cluster-errors.ts';
import { outcomeUnknown } from '#lib/k8s/late-writes.ts';
import { busyEntity } from '#lib/http/errors.ts';
import { VDC_STATUS } from '#db/status.ts';

/** Deletes a VDC (and, when forced, what is in it) and answers. */
export async function deleteVdc(c: Ctx, vdc: VdcRow, force: boolean): Promise<Response> {
  const { db } = c.var;
  const vappCount = vdcVappCount(db, vdc.id);
  if (vappCount > 0 && !force) {
    throw busyEntity(`VDC '${vdc.name}' still has ${vappCount} vApp(s); delete them first or use ?force=true or ?recursive=true`);
  }

  const { k8s } = c.var;
  if (!k8s || vdc.status === VDC_STATUS.pendingCluster) {
    deleteVdcCascade(db, vdc.id);
    return c.body(null, 204);
  }
  const before = { status: vdc.status, statusMessage: vdc.statusMessage };
  updateVdc(db, vdc.id, { status: VDC_STATUS.deleting, statusMessage: null, updatedAt: c.var.now() });
  let gone: boolean;
  try {
    gone = await k8s.deleteVdcNamespace(vdc.namespace, vdc.id);
  } catch (e) {
    // An answered failure deleted nothing: the row goes back. No answer (away, too slow): the
    // deletion may have landed and the reconciler finishes it either way.
    if (!outcomeUnknown(e)) {
      updateVdc(db, vdc.id, before);
      throw clusterError(e, `VDC '${vdc.name}' is not deleted yet`);
    }
    c.var.log.warn({ vdc: vdc.id, err: (e as Error).message }, 'VDC delete: no answer from the cluster; the reconciler completes it');
    return c.json(renderVdc(c, findVdcWithOrg(db, vdc.id)!), 202);
  }
  if (gone) {
    deleteVdcCascade(db, vdc.id);
    return c.body(null, 204);
  }
  if (await finishVdcDeletion(db, k8s, findVdc(db, vdc.id)!)) return c.body(null, 204);
  return c.json(renderVdc(c, findVdcWithOrg(db, vdc.id)!), 202);
}
