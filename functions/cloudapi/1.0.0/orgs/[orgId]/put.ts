/**
 * PUT /cloudapi/1.0.0/orgs/{orgId} — replace an organization's editable fields (System Administrators):
 * `name` is required, an absent description is emptied, an absent displayName becomes the name;
 * isEnabled and canPublish are kept when absent.
 * 200 Org with its `ETag`. 400 BAD_REQUEST (invalid fields, disabling or renaming Provider, a
 * malformed If-Match), 400 DUPLICATE_NAME, 403 for other roles or an invisible org, 412
 * PRECONDITION_FAILED when `If-Match` names another version (lib/http/etag.ts). Disabling ends
 * the org's sessions. A rename relabels the namespaces of its VDCs; when that fails the change is
 * kept and the answer is 503 CLUSTER_UNAVAILABLE (the reconciler finishes it).
 */
import { defineRoute } from '#lib/http/route.ts';
import { OrgPutSchema } from '#lib/orgs/schema.ts';
import { applyOrgUpdate } from '#lib/orgs/update.ts';
import { checkOrgIfMatch, orgAnswer } from './_answer.ts';

export default defineRoute({ summary: 'Replace an organization', params: { orgId: 'org' }, body: OrgPutSchema }, async function putOrg(c, { params, body }) {
  checkOrgIfMatch(c, params.orgId);
  await applyOrgUpdate(c, params.orgId, body, 'replace');
  return orgAnswer(c, params.orgId);
});
