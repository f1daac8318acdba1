/**
 * Loading VDCs for the caller, through the role table: the tenant view (`vdc`) and the admin API
 * (`vdcAdmin`, System Administrators only). Anything missing or out of reach is VCD's 403.
 */
import type { Ctx } from '#lib/http/route.ts';
import { authorize, hasAction, type Action } from '#lib/authz.ts';
import { findOrg, type OrgRow } from '#db/queries/orgs.ts';
import { findVdcWithOrg, type VdcWithOrg } from '#db/queries/vdcs.ts';
import { forbidden, notVisible } from '#lib/http/errors.ts';
import { toUrn } from '#lib/urn.ts';

/** The VDC `id` in the tenant view, if the caller may see it. */
export function visibleVdc(c: Ctx, id: string): VdcWithOrg {
  const found = findVdcWithOrg(c.var.db, id);
  if (!found) throw notVisible('vdc', toUrn('vdc', id));
  authorize(c.var.session!, 'vdc', 'read', { orgId: found.vdc.orgId }, { type: 'vdc', id });
  return found;
}

/**
 * The org of an admin-API path, after checking the caller's role may `action` VDCs there at all
 * (checked first, so a tenant learns nothing about which orgs exist).
 */
export function adminOrg(c: Ctx, orgId: string, action: Action): OrgRow {
  if (!hasAction(c.var.session!, 'vdcAdmin', action)) throw forbidden('VDC administration is for System Administrators');
  const org = findOrg(c.var.db, orgId);
  if (!org) throw notVisible('org', toUrn('org', orgId));
  return org;
}

/** The VDC of an admin-API path; a VDC of another org answers like a missing one. */
export function adminVdc(c: Ctx, orgId: string, vdcId: string, action: Action): { org: OrgRow } & VdcWithOrg {
  const org = adminOrg(c, orgId, action);
  const found = findVdcWithOrg(c.var.db, vdcId);
  if (!found || found.vdc.orgId !== org.id) throw notVisible('vdc', toUrn('vdc', vdcId));
  authorize(c.var.session!, 'vdcAdmin', action, { orgId: org.id }, { type: 'vdc', id: vdcId });
  return { org, ...found };
}
