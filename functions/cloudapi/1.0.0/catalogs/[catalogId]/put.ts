/**
 * PUT /cloudapi/1.0.0/catalogs/{catalogId} — replace a catalog's name, description and
 * publication (System Administrators; Organization Administrators for their org's catalogs).
 * 200 Catalog with `version` incremented. 400 BAD_REQUEST for invalid fields or an attempt to move
 * it to another org, 400 DUPLICATE_NAME, 403 for vApp Users, another org's published catalog, or an
 * invisible catalog.
 */
import { defineRoute } from '#lib/http/route.ts';
import { CatalogPutSchema } from '#lib/catalogs/schema.ts';
import { bodyOrg, visibleCatalog } from '#lib/catalogs/visible.ts';
import { findCatalog, updateCatalog } from '#db/queries/catalogs.ts';
import { isUniqueViolation } from '#db/errors.ts';
import { badRequest, duplicateName } from '#lib/http/errors.ts';
import { countItems, templatesOf } from '#lib/catalog/items.ts';
import { catalogView } from '#lib/views/catalog.ts';

export default defineRoute({ summary: 'Update a catalog', params: { catalogId: 'catalog' }, body: CatalogPutSchema }, function putCatalog(c, { params, body }) {
  const cat = visibleCatalog(c, params.catalogId, 'update');
  const org = bodyOrg(c, body);
  if (org && org.id !== cat.orgId) throw badRequest(`${body.orgId !== undefined ? 'orgId' : 'org.id'}: a catalog cannot move to another organization`);
  const { db } = c.var;
  try {
    updateCatalog(db, cat.id, {
      name: body.name, nameKey: body.name.toLowerCase(),
      ...(body.description !== undefined && { description: body.description ?? '' }),
      ...(body.isPublished !== undefined && { isPublished: body.isPublished }),
      updatedAt: c.var.now(),
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw duplicateName(`name: a catalog named '${body.name}' already exists in organization '${cat.orgName}'`);
    throw e;
  }
  return c.json(catalogView(findCatalog(db, cat.id)!, countItems(templatesOf(c.var.k8s), c.var.session.isSysAdmin)));
});
