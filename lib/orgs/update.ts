/**
 * Org PUT/PATCH: one code path for both, so renames and the enable switch behave the same.
 * PUT replaces the text fields (absent description = empty, absent or empty displayName = the
 * name, as on create) and keeps isEnabled and canPublish when absent, like a user's `enabled`;
 * PATCH changes only what is given.
 */
import type { Ctx } from '#lib/http/route.ts';
import { providerOrg, updateOrg, findOrg } from '#db/queries/orgs.ts';
import { deleteOrgSessions } from '#db/queries/sessions.ts';
import { badRequest, duplicateName } from '#lib/http/errors.ts';
import { clusterError } from '#lib/http/cluster-errors.ts';
import { isUniqueViolation } from '#db/errors.ts';
import { orgView } from '#lib/views/org.ts';
import { atomic } from '#db/client.ts';
import { updateVdc, vdcsOfOrg } from '#db/queries/vdcs.ts';
import { provisionVdc } from '#lib/vdcs/provision.ts';
import { visibleOrg } from './visible.ts';
import { VDC_STATUS } from '#db/status.ts';

export interface OrgChanges { name?: string; displayName?: string; description?: string; isEnabled?: boolean; canPublish?: boolean }

/** Applies a PUT (`replace`) or PATCH (`merge`) to an org and answers the updated org. */
export async function applyOrgUpdate(c: Ctx, id: string, body: OrgChanges, mode: 'replace' | 'merge'): Promise<Response> {
  const org = visibleOrg(c, id, 'update');
  const ch: OrgChanges = mode === 'replace' ? { ...body, description: body.description ?? '', displayName: body.displayName ?? '' } : { ...body };
  // An empty display name means "none", shown as the name (as on create).
  if (ch.displayName === '') ch.displayName = ch.name ?? org.name;
  if (org.isProvider && ch.isEnabled === false) throw badRequest('isEnabled: the Provider organization cannot be disabled');
  if (org.isProvider && ch.name !== undefined && ch.name !== org.name) throw badRequest('name: the Provider organization cannot be renamed');
  const { db } = c.var;
  try {
    atomic(db, () => {
      updateOrg(db, id, {
        ...(ch.name !== undefined && { name: ch.name, nameKey: ch.name.toLowerCase() }),
        ...(ch.displayName !== undefined && { displayName: ch.displayName }),
        ...(ch.description !== undefined && { description: ch.description }),
        ...(ch.isEnabled !== undefined && { isEnabled: ch.isEnabled }),
        ...(ch.canPublish !== undefined && { canPublish: ch.canPublish }),
        updatedAt: c.var.now(),
      });
      if (ch.isEnabled === false) deleteOrgSessions(db, id);
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw duplicateName(`name: an organization named '${ch.name}' already exists`);
    throw e;
  }
  const updated = findOrg(db, id)!;
  // Only the name and display name reach the cluster; unchanged, they need no cluster call.
  if (updated.name !== org.name || updated.displayName !== org.displayName) await relabelOrgNamespaces(c, updated.id, updated.name);
  return c.json(orgView(db, updated, providerOrg(db)));
}

/**
 * A rename changes the labels and annotations of the org's namespaces (docs/kubernetes.md "Namespace labels and annotations"). A VDC
 * whose namespace could not be relabelled is marked for the reconciler (whose drift check
 * compares exactly these labels), the others are still tried, and the answer says so
 * (docs/architecture.md "Update"): 503 CLUSTER_UNAVAILABLE, or the mapped 400, with the change saved.
 */
async function relabelOrgNamespaces(c: Ctx, orgId: string, orgName: string): Promise<void> {
  const { db, k8s, log } = c.var;
  if (!k8s) return;
  let failure: { vdc: string; error: unknown } | undefined;
  for (const vdc of vdcsOfOrg(db, orgId)) {
    if (vdc.status !== VDC_STATUS.ready) continue;
    try {
      await provisionVdc(db, k8s, vdc.id, c.var.now());
    } catch (e) {
      updateVdc(db, vdc.id, { needsReconcile: true });
      log.warn({ vdc: vdc.id, err: (e as Error).message }, 'namespace labels not updated after an org rename; left to the reconciler');
      failure ??= { vdc: vdc.name, error: e };
    }
  }
  if (failure) {
    throw clusterError(failure.error, `Organization '${orgName}' was saved but the namespace of VDC '${failure.vdc}' was not relabelled yet (the reconciler will retry)`);
  }
}
