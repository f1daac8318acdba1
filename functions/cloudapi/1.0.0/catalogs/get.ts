/**
 * GET /cloudapi/1.0.0/catalogs — the catalogs the caller may see (own org's and published ones;
 * all for system administrators), paged. Filter/sort fields: id, name, description, org.id,
 * owner.id, isPublished, creationDate, lastModifiedDate. 400 BAD_REQUEST for bad paging or filters.
 */
import { eq, or } from 'drizzle-orm';
import { defineRoute } from '#lib/http/route.ts';
import { ListQuerySchema, pageResponse, planList, whereAll } from '#lib/http/list.ts';
import { listScope } from '#lib/authz.ts';
import { listCatalogs } from '#db/queries/catalogs.ts';
import { catalogs } from '#db/schema.ts';
import { CATALOG_FIELDS } from '#lib/catalogs/schema.ts';
import { countItems, templatesOf } from '#lib/catalog/items.ts';
import { catalogView } from '#lib/views/catalog.ts';

export default defineRoute({ summary: 'List catalogs', query: ListQuerySchema }, function listCatalogsHandler(c, { query }) {
  const plan = planList(query, CATALOG_FIELDS);
  const s = c.var.session;
  const scope = listScope(s, 'catalog');
  const own = scope.orgId ? eq(catalogs.orgId, scope.orgId) : undefined;
  const visible = own && scope.orPublished ? or(own, eq(catalogs.isPublished, true)) : own;
  const { total, rows } = listCatalogs(c.var.db, plan, whereAll(visible, plan.where));
  const items = countItems(templatesOf(c.var.k8s), s.isSysAdmin);
  return pageResponse(c, plan, total, rows.map((cat) => catalogView(cat, items)));
});
