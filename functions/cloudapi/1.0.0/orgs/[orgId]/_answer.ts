/**
 * The update answer of this path's PUT and PATCH: the org rendered from one read of its row, so
 * the body and its ETag describe the same version. (applyOrgUpdate's own answer is rendered from
 * a row read before its cluster awaits, after which the version may have moved.)
 */
import type { Ctx } from '#lib/http/route.ts';
import { findOrg, providerOrg } from '#db/queries/orgs.ts';
import { notVisible } from '#lib/http/errors.ts';
import { etagHeader, ifMatchOf, requireMatch } from '#lib/http/etag.ts';
import { toUrn } from '#lib/urn.ts';
import { visibleOrg } from '#lib/orgs/visible.ts';
import { orgView } from '#lib/views/org.ts';

/**
 * 412 unless the org's version satisfies the request's If-Match. applyOrgUpdate reads and
 * writes the row without an await in between, so calling it right after this check (no await
 * between either) leaves no other write a place to slip in.
 */
export function checkOrgIfMatch(c: Ctx, id: string): void {
  requireMatch(ifMatchOf(c), visibleOrg(c, id, 'update').version, `Organization ${toUrn('org', id)}`);
}

/** 200 with the org as it is now and its ETag. */
export function orgAnswer(c: Ctx, id: string): Response {
  const { db } = c.var;
  const org = findOrg(db, id);
  // Deleted during the cluster step: what a GET would now say.
  if (!org) throw notVisible('org', toUrn('org', id));
  return c.json(orgView(db, org, providerOrg(db)), 200, etagHeader(org.version));
}
