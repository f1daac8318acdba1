/**
 * Loads a vApp the caller may see and act on (or VCD's 403), through the role table: a vApp
 * User reaches only the vApps they own.
 */
import type { Ctx } from '#lib/http/route.ts';
import { findVappWithRefs, type VappWithRefs } from '#db/queries/vapps.ts';
import { authorize, type Action } from '#lib/authz.ts';
import { notVisible } from '#lib/http/errors.ts';
import { toUrn } from '#lib/urn.ts';

/** The vApp `id` if the caller may `action` it. */
export function visibleVapp(c: Ctx, id: string, action: Action = 'read'): VappWithRefs {
  const found = findVappWithRefs(c.var.db, id);
  if (!found) throw notVisible('vapp', toUrn('vapp', id));
  authorize(c.var.session!, 'vapp', action, { orgId: found.vapp.orgId, ownerId: found.vapp.ownerId }, { type: 'vapp', id });
  return found;
}
