/**
 * Loads an org the caller may see (or the VCD 403).
 */
import type { Ctx } from '#lib/http/route.ts';
import { findOrg, type OrgRow } from '#db/queries/orgs.ts';
import { authorize, type Action } from '#lib/authz.ts';
import { notVisible } from '#lib/http/errors.ts';
import { toUrn } from '#lib/urn.ts';

/** The org `id` if the caller may `action` it. */
export function visibleOrg(c: Ctx, id: string, action: Action = 'read'): OrgRow {
  const org = findOrg(c.var.db, id);
  if (!org) throw notVisible('org', toUrn('org', id));
  authorize(c.var.session!, 'org', action, { orgId: org.id }, { type: 'org', id });
  return org;
}
