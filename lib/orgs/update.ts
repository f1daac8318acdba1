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
import { visibleOrg } from './visible.ts';

export interface OrgChanges { name?: string; displayName?: string; description?: string; isEnabled?: boolean; canPublish?: boolean }

/** Applies changes to an org and answers the updated org. */
export function applyOrgUpdate(c: Ctx, id: string, ch: OrgChanges): Response {
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
  return c.json(orgView(db, findOrg(db, id)!, providerOrg(db)));
}
