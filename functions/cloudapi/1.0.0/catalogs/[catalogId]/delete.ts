/**
 * DELETE /cloudapi/1.0.0/catalogs/{catalogId} — delete a catalog (System Administrators;
 * Organization Administrators for their org's catalogs). 204. Its items are derived from
 * templates, so nothing else is removed. 400 BAD_REQUEST for a malformed URN; 403 for vApp Users,
 * another org's published catalog, or an invisible catalog.
 */
import { defineRoute } from '#lib/http/route.ts';
import { visibleCatalog } from '#lib/catalogs/visible.ts';
import { deleteCatalog } from '#db/queries/catalogs.ts';

export default defineRoute({ summary: 'Delete a catalog', params: { catalogId: 'catalog' } }, function deleteCatalogHandler(c, { params }) {
  const cat = visibleCatalog(c, params.catalogId, 'delete');
  deleteCatalog(c.var.db, cat.id);
  return c.body(null, 204);
});
