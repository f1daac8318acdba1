/**
 * Creating a VDC (admin API). The flow, in order:
 *
 * 1. validate — the body (already checked by VdcCreateSchema) is merged over the defaults into a
 *    full VdcSpec; the org was resolved by the caller (adminOrg).
 * 2. write row — one synchronous transaction picks the namespace name (vdcNamespaceName, taken =
 *    any VDC row holding it) and inserts the row. The per-org unique index on the lower-cased name
 *    turns a concurrent duplicate into 400 DUPLICATE_NAME with nothing written.
 * 3. cluster step — goes here, between writing the row and answering, once the Kubernetes
 *    integration lands (design.md "Create"): the row is then inserted as CREATING, the
 *    namespace picker's isTaken also asks the cluster, the namespace, quota and policy are
 *    created from the row (lib/k8s), the row turns READY; a rejection removes what was created and
 *    the row, and answers 400/503. Today there is no such step, so every VDC is stored
 *    PENDING_CLUSTER — the state the reconciler will pick up when a cluster appears.
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
import { vdcView } from '#lib/views/vdc.ts';
import { toUrn } from '#lib/urn.ts';
import { vdcNamespaceName } from './namespace-name.ts';
import { defaultSpec, mergeSpec, rowOfSpec } from './spec.ts';
import type { VdcBody } from './schema.ts';

/** Status of a VDC whose cluster side has not been created (no cluster step yet). */
export const PENDING_CLUSTER = 'PENDING_CLUSTER';

/** Creates a VDC in `org` and answers 201. */
export async function createVdc(c: Ctx, org: OrgRow, body: VdcBody & { name: string }): Promise<Response> {
  const { db } = c.var;
  const spec = mergeSpec(defaultSpec(body.name), body);

  const id = randomUUID();
  const now = c.var.now();
  try {
    atomic(db, () => {
      const namespace = vdcNamespaceName(org.name, spec.name, (n) => namespaceTaken(db, n));
      insertVdc(db, { id, orgId: org.id, ...rowOfSpec(spec), status: PENDING_CLUSTER, namespace, createdAt: now, updatedAt: now });
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw duplicateName(`name: a VDC named '${spec.name}' already exists in organization '${org.name}'`);
    throw e;
  }

  c.header('Location', `${baseUrl(c)}/api/admin/org/${toUrn('org', org.id)}/vdcs/${toUrn('vdc', id)}`);
  return c.json(vdcView(findVdcWithOrg(db, id)!), 201);
}
