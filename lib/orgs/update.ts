/**
 * Org PUT/PATCH: one code path for both, so renames and the enable switch behave the same.
 */
import type { Ctx } from '#lib/http/route.ts';
import { providerOrg, updateOrg, findOrg } from '#db/queries/orgs.ts';
import { deleteOrgSessions } from '#db/queries/sessions.ts';
import { badRequest, duplicateName } from '#lib/http/errors.ts';
import { isUniqueViolation } from '#db/errors.ts';
import { orgView } from '#lib/views/org.ts';
import { atomic } from '#db/client.ts';
import { updateVdc, vdcsOfOrg } from '#db/queries/vdcs.ts';
import { provisionVdc } from '#lib/vdcs/provision.ts';
import { visibleOrg } from './visible.ts';

export interface OrgChanges { name?: string; displayName?: string; description?: string; isEnabled?: boolean; canPublish?: boolean }

/** Applies changes to an org and answers the updated org. */
export async function applyOrgUpdate(c: Ctx, id: string, ch: OrgChanges): Promise<Response> {
  const org = visibleOrg(c, id, 'update');
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
  if (ch.name !== undefined || ch.displayName !== undefined) await relabelOrgNamespaces(c, id);
  return c.json(orgView(db, findOrg(db, id)!, providerOrg(db)));
}

/**
 * A rename changes the labels and annotations of the org's namespaces (kubernetes.md). Failures
 * are left to the reconciler, whose drift check compares exactly these labels.
 */
async function relabelOrgNamespaces(c: Ctx, orgId: string): Promise<void> {
  const { db, k8s, log } = c.var;
  if (!k8s) return;
  for (const vdc of vdcsOfOrg(db, orgId)) {
    if (vdc.status !== 'READY') continue;
    try {
      await provisionVdc(db, k8s, vdc.id, c.var.now());
    } catch (e) {
      updateVdc(db, vdc.id, { needsReconcile: true });
      log.warn({ vdc: vdc.id, err: (e as Error).message }, 'namespace labels not updated after an org rename; left to the reconciler');
    }
  }
}
