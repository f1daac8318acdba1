/**
 * PATCH /cloudapi/1.0.0/orgs/{orgId} — change only the given fields (the UI's enable switch sends
 * `{isEnabled}`). Same answers as PUT.
 */
import { defineRoute } from '#lib/http/route.ts';
import { OrgPatchSchema } from '#lib/orgs/schema.ts';
import { applyOrgUpdate } from '#lib/orgs/update.ts';

export default defineRoute({ summary: 'Update an organization partially', params: { orgId: 'org' }, body: OrgPatchSchema }, function patchOrg(c, { params, body }) {
  return applyOrgUpdate(c, params.orgId, body, 'merge');
});
