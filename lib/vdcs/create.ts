/**
 * Creating a VDC (admin API). The flow, in order (docs/architecture.md "Create"):
 *
 * 1. validate — the body (already checked by VdcCreateSchema) is merged over the defaults into a
 *    full VdcSpec; the org was resolved by the caller (adminOrg).
 * 2. write row — one synchronous transaction picks the namespace name (vdcNamespaceName, taken =
 *    any VDC row holding it) and inserts the row: CREATING with a cluster, PENDING_CLUSTER without
 *    one (the reconciler provisions it when a cluster appears). The per-org unique index on the
 *    lower-cased name turns a concurrent duplicate into 400 DUPLICATE_NAME with nothing written.
 * 3. cluster step — the namespace is created (a plain create: it fails on a namespace of that
 *    name in the cluster, e.g. one still terminating or another owner's, and only then is the name
 *    checked and moved to a free one and the namespace applied), then the quota and policy are
 *    applied and the row turns READY. On failure what was created is deleted and the row removed; if that clean-up cannot
 *    finish (cluster away) the row stays DELETING for the reconciler, so no object outlives its
 *    row. The answer is 503 CLUSTER_UNAVAILABLE or the mapped 400.
 * 4. answer — 201 with the VDC and a Location.
 *
 * A disabled org may get VDCs: this is the System Administrators' API and VCD lets them manage a
 * disabled org's resources (its users cannot log in until it is enabled again).
 */
import { randomUUID } from 'node:crypto';
import type { Ctx } from '#lib/http/route.ts';
import type { OrgRow } from '#db/queries/orgs.ts';
import { findVdcWithOrg, insertVdc, namespaceTaken } from '#db/queries/vdcs.ts';
import { atomic } from '#db/client.ts';
import { isUniqueViolation } from '#db/errors.ts';
import { duplicateName } from '#lib/http/errors.ts';
import { baseUrl } from '#lib/views/common.ts';
import { renderVdc } from './render.ts';
import { claimNamespaceName, provisionVdc } from './provision.ts';
import { clusterError } from '#lib/http/cluster-errors.ts';
import { deleteVdcCascade, findVdc, updateVdc } from '#db/queries/vdcs.ts';
import { toUrn } from '#lib/urn.ts';
import { outcomeUnknown, undoStarted } from '#lib/k8s/late-writes.ts';
import { vdcNamespaceName } from './namespace-name.ts';
import { defaultSpec, mergeSpec, rowOfSpec } from './spec.ts';
import type { VdcBody } from './schema.ts';
import { VDC_STATUS } from '#db/status.ts';

/** Creates a VDC in `org` and answers 201. */
export async function createVdc(c: Ctx, org: OrgRow, body: VdcBody & { name: string }): Promise<Response> {
  const { db, k8s } = c.var;
  const spec = mergeSpec(defaultSpec(body.name), body);

  const id = randomUUID();
  const now = c.var.now();
  try {
    atomic(db, () => {
      const namespace = vdcNamespaceName(org.name, spec.name, (n) => namespaceTaken(db, n));
      insertVdc(db, { id, orgId: org.id, ...rowOfSpec(spec), status: k8s ? VDC_STATUS.creating : VDC_STATUS.pendingCluster, namespace, createdAt: now, updatedAt: now });
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw duplicateName(`name: a VDC named '${spec.name}' already exists in organization '${org.name}'`);
    throw e;
  }
  if (k8s) {
    try {
      // Two round trips for a new name: create the namespace, then quota and policy together.
      const created = k8s.createVdcNamespace ? await k8s.createVdcNamespace(findVdc(db, id)!, org) : false;
      if (!created) await claimNamespaceName(db, k8s, id, org.name);
      await provisionVdc(db, k8s, id, c.var.now(), { namespaceCreated: created });
    } catch (e) {
      await undoCreate(c, id, outcomeUnknown(e));
      throw clusterError(e, `VDC '${spec.name}' was not created`);
    }
  }

  c.header('Location', `${baseUrl(c)}/api/admin/org/${toUrn('org', org.id)}/vdcs/${toUrn('vdc', id)}`);
  return c.json(renderVdc(c, findVdcWithOrg(db, id)!), 201);
}

/**
 * Removes what a failed create made: the namespace (if any), then the row — or leaves the row
 * DELETING for the reconciler: when the namespace is not gone yet, and when the failed call may
 * still land (lib/k8s/late-writes.ts).
 */
async function undoCreate(c: Ctx, id: string, unknownOutcome: boolean): Promise<void> {
  const { db, k8s, log } = c.var;
  const vdc = findVdc(db, id);
  if (!vdc || !k8s) return;
  try {
    const gone = await k8s.deleteVdcNamespace(vdc.namespace, vdc.id);
    if (gone && !unknownOutcome) {
      deleteVdcCascade(db, id);
      return;
    }
  } catch (e) {
    log.warn({ vdc: id, err: (e as Error).message }, 'could not undo a failed VDC create; the reconciler will finish it');
  }
  const now = c.var.now();
  updateVdc(db, id, { status: VDC_STATUS.deleting, updatedAt: now, ...(unknownOutcome ? undoStarted(now) : { statusMessage: 'Creation failed; removing its namespace' }) });
}
