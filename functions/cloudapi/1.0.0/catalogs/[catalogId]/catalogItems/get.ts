/**
 * GET /cloudapi/1.0.0/catalogs/{catalogId}/catalogItems — the catalog's items (one per offered
 * template), paged from the in-memory template cache. Filter/sort fields: id, name, displayName,
 * description, osType, os_type, status, template.namespace, creationDate. Hidden and deprecated
 * templates appear for System Administrators only. Without a cluster the list is empty.
 * 400 BAD_REQUEST for bad paging or filters or a malformed URN; 403 for an invisible catalog.
 */
import { defineRoute } from '#lib/http/route.ts';
import { ListQuerySchema, pageResponse } from '#lib/http/list.ts';
import { visibleCatalog } from '#lib/catalogs/visible.ts';
import { listItems, templatesOf } from '#lib/catalog/items.ts';
import { catalogItemView } from '#lib/views/catalog-item.ts';

export default defineRoute({ summary: 'List catalog items', params: { catalogId: 'catalog' }, query: ListQuerySchema }, function listCatalogItems(c, { params, query }) {
  const cat = visibleCatalog(c, params.catalogId);
  const { plan, total, entries } = listItems(templatesOf(c.var.k8s), cat.id, query, c.var.session.isSysAdmin);
  return pageResponse(c, plan, total, entries.map((e) => catalogItemView(cat, e)));
});
