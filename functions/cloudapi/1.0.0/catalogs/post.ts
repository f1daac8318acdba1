/**
 * POST /cloudapi/1.0.0/catalogs — create a catalog in the org named by `orgId` or `org.id`
 * (default: the caller's operating org). System Administrators anywhere, Organization
 * Administrators in their own org. 201 Catalog with `Location`. 400 BAD_REQUEST for invalid
 * fields, 400 DUPLICATE_NAME when the org already has a catalog of that name (case-insensitive),
 * 403 for vApp Users and for an org the caller cannot see or act in.
 */
import { randomUUID } from 'node:crypto';
import { defineRoute } from '#lib/http/route.ts';
import { authorize, requireAction } from '#lib/authz.ts';
import { findCatalog, insertCatalog } from '#db/queries/catalogs.ts';
import { findOrg } from '#db/queries/orgs.ts';
import { isUniqueViolation } from '#db/errors.ts';
import { duplicateName } from '#lib/http/errors.ts';
import { CatalogCreateSchema } from '#lib/catalogs/schema.ts';
import { bodyOrg } from '#lib/catalogs/visible.ts';
import { countItems, templatesOf } from '#lib/catalog/items.ts';
import { catalogView } from '#lib/views/catalog.ts';
import { baseUrl } from '#lib/views/common.ts';
import { toUrn } from '#lib/urn.ts';

export default defineRoute({ summary: 'Create a catalog', body: CatalogCreateSchema }, function createCatalog(c, { body }) {
  const s = c.var.session;
  requireAction(s, 'catalog', 'create');
  const { db } = c.var;
  const org = bodyOrg(c, body) ?? findOrg(db, s.operatingOrgId)!;
  authorize(s, 'catalog', 'create', { orgId: org.id }, { type: 'org', id: org.id });
  const now = c.var.now();
  const id = randomUUID();
  try {
    insertCatalog(db, {
      id, orgId: org.id, ownerId: s.userId, name: body.name, nameKey: body.name.toLowerCase(),
      description: body.description ?? '', isPublished: body.isPublished ?? false, version: 1, createdAt: now, updatedAt: now,
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw duplicateName(`name: a catalog named '${body.name}' already exists in organization '${org.name}'`);
    throw e;
  }
  c.header('Location', `${baseUrl(c)}/cloudapi/1.0.0/catalogs/${toUrn('catalog', id)}`);
  return c.json(catalogView(findCatalog(db, id)!, countItems(templatesOf(c.var.k8s), s.isSysAdmin)), 201);
});
