/**
 * Which template an instantiation names: a catalog item id (in any catalog the caller can see)
 * or a template name. Item ids are derived (lib/catalog/items.ts), so resolving one means asking
 * each visible catalog's index; catalogs are few, the per-catalog index is cached.
 */
import type { Session } from '#lib/auth/session.ts';
import type { Db } from '#db/client.ts';
import { catalogHeaders } from '#db/queries/catalogs.ts';
import { canSee } from '#lib/authz.ts';
import { catalogItemId, findItem, isOffered } from '#lib/catalog/items.ts';
import type { CatalogTemplate, TemplateSource } from '#lib/catalog/template.ts';
import { badRequest } from '#lib/http/errors.ts';
import { parseUrn, toUrn } from '#lib/urn.ts';

export interface ResolvedItem {
  /** Bare UUID of the catalog item. */
  itemId: string;
  template: CatalogTemplate;
}

/** The catalog ids the caller can see, the caller's own org first. */
function visibleCatalogIds(db: Db, s: Session): string[] {
  const list = catalogHeaders(db).filter((cat) => canSee(s, 'catalog', { orgId: cat.orgId, published: cat.isPublished }));
  return [...list.filter((cat) => cat.orgId === s.orgId), ...list.filter((cat) => cat.orgId !== s.orgId)].map((cat) => cat.id);
}

/**
 * Resolves `catalogItem: {id?, name?}` / `catalogItemUrn`; 400 naming the field when it is
 * missing, malformed, or names nothing the caller can instantiate.
 */
export function resolveCatalogItem(db: Db, s: Session, source: TemplateSource | undefined, body: { catalogItem?: { id?: string; name?: string }; catalogItemUrn?: string }): ResolvedItem {
  const [field, rawId] = body.catalogItemUrn !== undefined ? ['catalogItemUrn', body.catalogItemUrn] : ['catalogItem.id', body.catalogItem?.id];
  const name = body.catalogItem?.name;
  if (rawId === undefined && name === undefined) throw badRequest('catalogItem: must name a catalog item by id (catalogItem.id or catalogItemUrn) or by name (catalogItem.name)');
  const catalogs = visibleCatalogIds(db, s);
  if (rawId !== undefined) {
    const id = parseUrn('catalogitem', rawId);
    if (!id) throw badRequest(`${field}: must be a URN urn:vcloud:catalogitem:<uuid>`);
    for (const catalogId of catalogs) {
      const e = findItem(source, catalogId, id, s.isSysAdmin);
      if (e) return { itemId: e.id, template: e.template };
    }
    throw badRequest(`${field}: catalog item ${toUrn('catalogitem', id)} does not exist or you do not have access`);
  }
  const template = source?.list().find((t) => t.name === name && isOffered(t, s.isSysAdmin));
  if (!template || catalogs.length === 0) throw badRequest(`catalogItem.name: no catalog item named '${name}' is available to you`);
  return { itemId: catalogItemId(catalogs[0]!, template), template };
}
