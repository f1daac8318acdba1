/**
 * PUT /cloudapi/1.0.0/catalogs/{catalogId} — replace a catalog's name, description and
 * publication (System Administrators; Organization Administrators for their org's catalogs).
 * 200 Catalog with `version` incremented and its `ETag` (that version, lib/http/etag.ts). 400
 * BAD_REQUEST for invalid fields, a malformed If-Match or an attempt to move it to another org,
 * 400 DUPLICATE_NAME, 403 for vApp Users, another org's published catalog, or an invisible
 * catalog, 412 PRECONDITION_FAILED when `If-Match` names another version.
 */
import { defineRoute } from '#lib/http/route.ts';
import { CatalogPutSchema } from '#lib/catalogs/schema.ts';
import { bodyOrg, visibleCatalog } from '#lib/catalogs/visible.ts';
import { findCatalog, updateCatalog } from '#db/queries/catalogs.ts';
import { isUniqueViolation } from '#db/errors.ts';
import { badRequest, duplicateName } from '#lib/http/errors.ts';
import { countItems, templatesOf } from '#lib/catalog/items.ts';
import { catalogView } from '#lib/views/catalog.ts';
import { etagHeader, ifMatchOf, requireMatch } from '#lib/http/etag.ts';
import { toUrn } from '#lib/urn.ts';

export default defineRoute({ summary: 'Update a catalog', params: { catalogId: 'catalog' }, body: CatalogPutSchema }, function putCatalog(c, { params, body }) {
  const cat = visibleCatalog(c, params.catalogId, 'update');
  // The catalog's own `version` is its ETag; read and write below are one synchronous stretch.
  requireMatch(ifMatchOf(c), cat.version, `Catalog ${toUrn('catalog', cat.id)}`);
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
  const updated = findCatalog(db, cat.id)!;
  return c.json(catalogView(updated, countItems(templatesOf(c.var.k8s), c.var.session.isSysAdmin)), 200, etagHeader(updated.version));
});
