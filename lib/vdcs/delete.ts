/**
 * Deleting a VDC (admin API). The flow, in order:
 *
 * 1. validate — refused with 400 BUSY_ENTITY while the VDC has vApps, unless forced
 *    (`?force=true` or `?recursive=true`).
 * 2. cluster step — goes here once the Kubernetes integration lands (design.md "Delete",
 *    kubernetes.md "Deletion"): Kubernetes first, so the row is marked DELETING, the namespace is
 *    deleted (Background propagation), the answer is 202 with the VDC, and the row goes when the
 *    namespace is gone. Without a cluster side there is nothing to wait for, so:
 * 3. remove rows — the VDC with its vApps and VMs, in one transaction; its name is free again.
 * 4. answer — 204.
 *
 * The vApp count and the delete run with no await between them, so no request of this process
 * can add a vApp in between.
 */
import type { Ctx } from '#lib/http/route.ts';
import { deleteVdcCascade, vdcVappCount, type VdcRow } from '#db/queries/vdcs.ts';
import { busyEntity } from '#lib/http/errors.ts';

/** Deletes a VDC (and, when forced, what is in it) and answers. */
export async function deleteVdc(c: Ctx, vdc: VdcRow, force: boolean): Promise<Response> {
  const { db } = c.var;
  const vappCount = vdcVappCount(db, vdc.id);
  if (vappCount > 0 && !force) {
    throw busyEntity(`VDC '${vdc.name}' still has ${vappCount} vApp(s); delete them first or use ?force=true or ?recursive=true`);
  }

  deleteVdcCascade(db, vdc.id);

  return c.body(null, 204);
}
