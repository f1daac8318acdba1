/**
 * GET /cloudapi/1.0.0/catalogs/{catalogId} — one catalog.
 * 200 Catalog with its `ETag` (its `version`, for If-Match on PUT); 400 BAD_REQUEST for a
 * malformed URN; 403 when it does not exist or is neither the caller's org's nor published.
 */
import { defineRoute } from '#lib/http/route.ts';
import { visibleCatalog } from '#lib/catalogs/visible.ts';
import { countItems, templatesOf } from '#lib/catalog/items.ts';
import { catalogView } from '#lib/views/catalog.ts';
import { etagHeader } from '#lib/http/etag.ts';

export default defineRoute({ summary: 'Get a catalog', params: { catalogId: 'catalog' } }, function getCatalog(c, { params }) {
  const cat = visibleCatalog(c, params.catalogId);
  return c.json(catalogView(cat, countItems(templatesOf(c.var.k8s), c.var.session.isSysAdmin)), 200, etagHeader(cat.version));
});
