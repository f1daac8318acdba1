/**
 * Updating a VDC (admin PUT and PATCH share this). The flow, in order (docs/architecture.md "Update"):
 *
 * 1. validate — PUT merges the body over the create defaults (it replaces every editable field),
 *    PATCH over the current row (it changes only what is given); a VDC being deleted is busy.
 * 2. write row — one UPDATE; the per-org unique index on the lower-cased name turns a rename onto
 *    a taken name into 400 DUPLICATE_NAME. The namespace name never changes (docs/kubernetes.md "Namespace name").
 * 3. cluster step — re-apply the namespace's labels and annotations, the quota and the policy
 *    from the written row (a VDC still PENDING_CLUSTER gets its namespace now). A failure keeps
 *    the row, marks it `needsReconcile` for the reconciler and answers 503 CLUSTER_UNAVAILABLE
 *    (or the mapped 400) saying the change is saved but not yet applied.
 * 4. answer — 200 with the VDC.
 */
import type { Ctx } from '#lib/http/route.ts';
import { findVdcWithOrg, updateVdc, type VdcWithOrg } from '#db/queries/vdcs.ts';
import { isUniqueViolation } from '#db/errors.ts';
import { busyEntity, duplicateName } from '#lib/http/errors.ts';
import { renderVdc } from './render.ts';
import { claimNamespaceName, provisionVdc } from './provision.ts';
import { clusterError } from '#lib/http/cluster-errors.ts';
import { toUrn } from '#lib/urn.ts';
import { defaultSpec, mergeSpec, rowOfSpec, specOfRow } from './spec.ts';
import type { VdcBody } from './schema.ts';
import { VDC_STATUS } from '#db/status.ts';

/** Applies a PUT (`replace`) or PATCH body to a VDC and answers 200. */
export async function applyVdcUpdate(c: Ctx, current: VdcWithOrg, body: VdcBody, mode: 'replace' | 'merge'): Promise<Response> {
  const { db } = c.var;
  const { vdc, orgName } = current;
  if (vdc.status === VDC_STATUS.deleting) throw busyEntity(`VDC ${toUrn('vdc', vdc.id)} is being deleted`);
  const base = mode === 'replace' ? defaultSpec(vdc.name) : specOfRow(vdc);
  const spec = mergeSpec(base, body);

  try {
    updateVdc(db, vdc.id, { ...rowOfSpec(spec), updatedAt: c.var.now() });
  } catch (e) {
    if (isUniqueViolation(e)) throw duplicateName(`name: a VDC named '${spec.name}' already exists in organization '${orgName}'`);
    throw e;
  }
  const { k8s } = c.var;
  if (k8s && vdc.status !== VDC_STATUS.creating) {
    try {
      if (vdc.status === VDC_STATUS.pendingCluster) await claimNamespaceName(db, k8s, vdc.id, orgName);
      await provisionVdc(db, k8s, vdc.id, c.var.now());
    } catch (e) {
      updateVdc(db, vdc.id, { needsReconcile: true });
      throw clusterError(e, `VDC '${spec.name}' was saved but its cluster objects were not updated yet (the reconciler will retry)`);
    }
  }

  return c.json(renderVdc(c, findVdcWithOrg(db, vdc.id)!));
}
