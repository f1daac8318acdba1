/**
 * GET /cloudapi/1.0.0/catalogs/{catalogId}/catalogItems — the catalog's items (one per offered
 * template), paged from the in-memory template cache. Filter/sort fields: id, name, displayName,
 * description, osType, os_type, status, template.namespace, creationDate. Deprecated templates
 * appear for System Administrators only (the `hidden` tag hides nothing: every common template has it). Without a cluster the list is empty. Pages are
 * cached until the next database write or template change (lib/http/page-cache.ts).
 * 400 BAD_REQUEST for bad paging or filters or a malformed URN; 403 for an invisible catalog.
 */
import { defineRoute } from '#lib/http/route.ts';
import { ListQuerySchema } from '#lib/http/list.ts';
import { cachedPage } from '#lib/http/page-cache.ts';
import { visibleCatalog } from '#lib/catalogs/visible.ts';
import { listItems, templatesOf } from '#lib/catalog/items.ts';
import { catalogItemView } from '#lib/views/catalog-item.ts';

export default defineRoute({ summary: 'List catalog items', params: { catalogId: 'catalog' }, query: ListQuerySchema }, function listCatalogItems(c, { params, query }) {
  const cat = visibleCatalog(c, params.catalogId);
  const source = templatesOf(c.var.k8s);
  const { isSysAdmin } = c.var.session;
  // The template cache swaps in a new list on every change, so the list itself tells the state.
  return cachedPage(c, isSysAdmin ? 'all-templates' : 'offered-templates', source?.list(), () => {
    const { plan, total, entries } = listItems(source, cat.id, query, isSysAdmin);
    return { plan, total, values: entries.map((e) => catalogItemView(cat, e)) };
  });
});
