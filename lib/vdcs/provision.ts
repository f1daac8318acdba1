/**
 * The cluster side of a VDC, shared by the API flows and the reconciler: choosing a namespace
 * name nobody holds (no row, no namespace in the cluster — e.g. one still terminating),
 * applying the namespace, quota and policy, and finishing a deletion once the namespace is gone.
 */
import { lateWritesPossible } from '#lib/k8s/late-writes.ts';
import type { Db } from '#db/client.ts';
import { atomic } from '#db/client.ts';
import type { Cluster } from '#lib/k8s/cluster.ts';
import { findVdc, namespaceTaken, updateVdc, deleteVdcCascade, type VdcRow } from '#db/queries/vdcs.ts';
import { findOrg } from '#db/queries/orgs.ts';
import { vdcNamespaceName } from './namespace-name.ts';
import { VDC_STATUS } from '#db/status.ts';

/** How many cluster-side collisions a create tolerates before giving up. */
const MAX_NAME_TRIES = 20;

/**
 * Makes sure the row's namespace name is free in the cluster too; moves the row to the next
 * free name otherwise (the name is fixed once the namespace exists).
 */
export async function claimNamespaceName(db: Db, k8s: Cluster, vdcId: string, orgName: string): Promise<VdcRow> {
  const inCluster = new Set<string>();
  for (let i = 0; i < MAX_NAME_TRIES; i++) {
    const vdc = findVdc(db, vdcId)!;
    const st = await k8s.namespaceState(vdc.namespace);
    // Free, or already this VDC's own (a create that crashed after making it): keep the name.
    if (!st.exists || (st.vdcId === vdc.id && !st.terminating)) return vdc;
    inCluster.add(vdc.namespace);
    atomic(db, () => {
      const next = vdcNamespaceName(orgName, vdc.name, (n) => inCluster.has(n) || namespaceTaken(db, n));
      updateVdc(db, vdcId, { namespace: next });
    });
  }
  throw new Error(`no free namespace name for VDC ${vdcId} after ${MAX_NAME_TRIES} tries`);
}

/**
 * Applies the VDC's objects and marks it READY (clearing any pending repair); `namespaceCreated`
 * when the caller just created the namespace (only quota and policy are left to apply).
 */
export async function provisionVdc(db: Db, k8s: Cluster, vdcId: string, now: number, opts: { namespaceCreated?: boolean } = {}): Promise<void> {
  const vdc = findVdc(db, vdcId);
  // Re-read: a reconcile pass works from rows read before its awaits, and a delete may have
  // started since; applying would recreate the namespace being deleted.
  if (!vdc || vdc.status === VDC_STATUS.deleting) return;
  const org = findOrg(db, vdc.orgId);
  if (!org) return;
  await k8s.applyVdc(vdc, org, opts);
  // A delete that started during the apply owns the row now.
  if (findVdc(db, vdcId)?.status === VDC_STATUS.deleting) return;
  updateVdc(db, vdcId, { status: VDC_STATUS.ready, statusMessage: null, needsReconcile: false, updatedAt: now });
}

/** Deletes the row (and its vApps/VMs) when the namespace is gone; true when it did. */
export async function finishVdcDeletion(db: Db, k8s: Cluster, vdc: VdcRow): Promise<boolean> {
  if (k8s.namespaceCached(vdc.namespace)) return false;
  if (lateWritesPossible(vdc, k8s, Date.now())) return false;
  const st = await k8s.namespaceState(vdc.namespace);
  if (st.exists && st.vdcId === vdc.id) return false;
  deleteVdcCascade(db, vdc.id);
  return true;
}
