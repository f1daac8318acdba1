/**
 * GET /cloudapi/1.0.0/orgs — the organizations the caller may see, paged. Pages are cached until
 * the next database write (lib/http/page-cache.ts).
 * Filter/sort fields: id, name, displayName, isEnabled. 400 BAD_REQUEST for bad paging or filters.
 */
import { eq } from 'drizzle-orm';
import { defineRoute } from '#lib/http/route.ts';
import { ListQuerySchema, planList, whereAll } from '#lib/http/list.ts';
import { cachedPage } from '#lib/http/page-cache.ts';
import { listScope, scopeKey } from '#lib/authz.ts';
import { listOrgs, providerOrg } from '#db/queries/orgs.ts';
import { orgs } from '#db/schema.ts';
import { ORG_FIELDS } from '#lib/orgs/schema.ts';
import { orgView } from '#lib/views/org.ts';

export default defineRoute({ summary: 'List organizations', query: ListQuerySchema }, function listOrgsHandler(c, { query }) {
  const scope = listScope(c.var.session, 'org');
  return cachedPage(c, scopeKey(scope), 0, () => {
    const plan = planList(query, ORG_FIELDS);
    const { db } = c.var;
    const { total, rows } = listOrgs(db, plan, whereAll(scope.orgId ? eq(orgs.id, scope.orgId) : undefined, plan.where));
    const provider = providerOrg(db);
    return { plan, total, values: rows.map((o) => orgView(db, o, provider)) };
  });
});
