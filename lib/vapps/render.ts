/**
 * vApps as clients see them: one, or a page whose VMs are read in one query.
 */
import type { Ctx } from '#lib/http/route.ts';
import { findVappWithRefs, type VappWithRefs } from '#db/queries/vapps.ts';
import { vmsOfVapp, vmsOfVapps } from '#db/queries/vms.ts';
import { baseUrl } from '#lib/views/common.ts';
import { vappView } from '#lib/views/vapp.ts';

/** The vApp JSON for one row (re-read, so the answer shows what was just written). */
export function renderVapp(c: Ctx, id: string) {
  const found = findVappWithRefs(c.var.db, id)!;
  return vappView(found, vmsOfVapp(c.var.db, id), baseUrl(c));
}

/** The vApp JSON for a page of rows. */
export function renderVapps(c: Ctx, rows: VappWithRefs[]) {
  const vms = vmsOfVapps(c.var.db, rows.map((r) => r.vapp.id));
  const base = baseUrl(c);
  return rows.map((r) => vappView(r, vms.get(r.vapp.id) ?? [], base));
}
