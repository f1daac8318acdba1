/**
 * GET /cloudapi/1.0.0/orgs/{orgId} — one organization.
 * 200 Org with its `ETag` (for If-Match on PUT/PATCH); 400 BAD_REQUEST for a malformed URN; 403
 * when it does not exist or is not the caller's.
 */
import { defineRoute } from '#lib/http/route.ts';
import { providerOrg } from '#db/queries/orgs.ts';
import { visibleOrg } from '#lib/orgs/visible.ts';
import { orgView } from '#lib/views/org.ts';
import { etagHeader } from '#lib/http/etag.ts';

export default defineRoute({ summary: 'Get an organization', params: { orgId: 'org' } }, function getOrg(c, { params }) {
  const org = visibleOrg(c, params.orgId);
  return c.json(orgView(c.var.db, org, providerOrg(c.var.db)), 200, etagHeader(org.version));
});
