/**
 * What this path's PUT and PATCH share around applyVdcUpdate: the If-Match check, and the answer
 * rendered from one read of the row, so the body and its ETag describe the same version (the
 * cluster step writes the row again — status, reconcile mark — after the update's own write).
 */
import type { Ctx } from '#lib/http/route.ts';
import { findVdcWithOrg, type VdcWithOrg } from '#db/queries/vdcs.ts';
import { notVisible } from '#lib/http/errors.ts';
import { etagHeader, ifMatchOf, requireMatch } from '#lib/http/etag.ts';
import { toUrn } from '#lib/urn.ts';
import { renderVdc } from '#lib/vdcs/render.ts';

/**
 * 412 unless the VDC as read satisfies the request's If-Match. applyVdcUpdate writes from that
 * same read before its first await, so calling it right after this check leaves no other write
 * a place to slip in.
 */
export function checkVdcIfMatch(c: Ctx, current: VdcWithOrg): void {
  requireMatch(ifMatchOf(c), current.vdc.version, `VDC ${toUrn('vdc', current.vdc.id)}`);
}

/** 200 with the VDC as it is now and its ETag. */
export function vdcAnswer(c: Ctx, id: string): Response {
  const row = findVdcWithOrg(c.var.db, id);
  // Deleted during the cluster step: what a GET would now say.
  if (!row) throw notVisible('vdc', toUrn('vdc', id));
  return c.json(renderVdc(c, row), 200, etagHeader(row.vdc.version));
}
