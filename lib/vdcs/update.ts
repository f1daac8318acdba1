/**
 * Updating a VDC (admin PUT and PATCH share this). The flow, in order:
 *
 * 1. validate — PUT merges the body over the create defaults (it replaces every editable field),
 *    PATCH over the current row (it changes only what is given); a VDC being deleted is busy.
 * 2. write row — one UPDATE; the per-org unique index on the lower-cased name turns a rename onto
 *    a taken name into 400 DUPLICATE_NAME. The namespace name never changes (kubernetes.md).
 * 3. cluster step — goes here once the Kubernetes integration lands (design.md "Update"): re-apply
 *    the namespace's labels and annotations and the quota from the written row; a failure marks
 *    the row `needsReconcile` and the answer says so. Today there is no cluster side to update.
 * 4. answer — 200 with the VDC.
 */
import type { Ctx } from '#lib/http/route.ts';
import { findVdcWithOrg, updateVdc, type VdcWithOrg } from '#db/queries/vdcs.ts';
import { isUniqueViolation } from '#db/errors.ts';
import { busyEntity, duplicateName } from '#lib/http/errors.ts';
import { vdcView } from '#lib/views/vdc.ts';
import { toUrn } from '#lib/urn.ts';
import { defaultSpec, mergeSpec, rowOfSpec, specOfRow } from './spec.ts';
import type { VdcBody } from './schema.ts';

/** Applies a PUT (`replace`) or PATCH body to a VDC and answers 200. */
export async function applyVdcUpdate(c: Ctx, current: VdcWithOrg, body: VdcBody, mode: 'replace' | 'merge'): Promise<Response> {
  const { db } = c.var;
  const { vdc, orgName } = current;
  if (vdc.status === 'DELETING') throw busyEntity(`VDC ${toUrn('vdc', vdc.id)} is being deleted`);
  const base = mode === 'replace' ? defaultSpec(vdc.name) : specOfRow(vdc);
  const spec = mergeSpec(base, body);

  try {
    updateVdc(db, vdc.id, { ...rowOfSpec(spec), updatedAt: c.var.now() });
  } catch (e) {
    if (isUniqueViolation(e)) throw duplicateName(`name: a VDC named '${spec.name}' already exists in organization '${orgName}'`);
    throw e;
  }

  return c.json(vdcView(findVdcWithOrg(db, vdc.id)!));
}
