/**
 * PATCH /cloudapi/1.0.0/orgs/{orgId} — change only the given fields (the UI's enable switch sends
 * `{isEnabled}`). Same answers as PUT, If-Match and ETag included.
 */
import { defineRoute } from '#lib/http/route.ts';
import { OrgPatchSchema } from '#lib/orgs/schema.ts';
import { applyOrgUpdate } from '#lib/orgs/update.ts';
import { checkOrgIfMatch, orgAnswer } from './_answer.ts';

export default defineRoute({ summary: 'Update an organization partially', params: { orgId: 'org' }, body: OrgPatchSchema }, async function patchOrg(c, { params, body }) {
  checkOrgIfMatch(c, params.orgId);
  await applyOrgUpdate(c, params.orgId, body, 'merge');
  return orgAnswer(c, params.orgId);
});
