/**
 * GET /cloudapi/1.0.0/catalogs/{catalogId}/catalogItems/{itemId} — one catalog item.
 * 200 CatalogItem; 400 BAD_REQUEST for a malformed URN; 403 when the catalog is invisible, the
 * template is gone, hidden from the caller, or no cluster is configured.
 */
import { defineRoute } from '#lib/http/route.ts';
import { visibleCatalog } from '#lib/catalogs/visible.ts';
import { findItem, templatesOf } from '#lib/catalog/items.ts';
import { notVisible } from '#lib/http/errors.ts';
import { toUrn } from '#lib/urn.ts';
import { catalogItemView } from '#lib/views/catalog-item.ts';

export default defineRoute({ summary: 'Get a catalog item', params: { catalogId: 'catalog', itemId: 'catalogitem' } }, function getCatalogItem(c, { params }) {
  const cat = visibleCatalog(c, params.catalogId);
  const item = findItem(templatesOf(c.var.k8s), cat.id, params.itemId, c.var.session.isSysAdmin);
  if (!item) throw notVisible('catalogitem', toUrn('catalogitem', params.itemId));
  return c.json(catalogItemView(cat, item));
});
