/**
 * GET /cloudapi/1.0.0/orgs — the organizations the caller may see, paged.
 * Filter/sort fields: id, name, displayName, isEnabled. 400 BAD_REQUEST for bad paging or filters.
 */
import { defineRoute } from '#lib/http/route.ts';
import { ListQuerySchema, pageResponse, planList, whereAll } from '#lib/http/list.ts';
import { listScope } from '#lib/authz.ts';
import { listOrgs, providerOrg } from '#db/queries/orgs.ts';
import { orgs } from '#db/schema.ts';
import { eq } from 'drizzle-orm';
import { ORG_FIELDS } from '#lib/orgs/schema.ts';
import { orgView } from '#lib/views/org.ts';

export default defineRoute({ summary: 'List organizations', query: ListQuerySchema }, function listOrgsHandler(c, { query }) {
  const plan = planList(query, ORG_FIELDS);
  const scope = listScope(c.var.session, 'org');
  const { db } = c.var;
  const { total, rows } = listOrgs(db, plan, whereAll(scope.orgId ? eq(orgs.id, scope.orgId) : undefined, plan.where));
  const provider = providerOrg(db);
  return pageResponse(c, plan, total, rows.map((o) => orgView(db, o, provider)));
});
