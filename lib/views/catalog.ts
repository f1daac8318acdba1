/**
 * The Catalog object of docs/api.md "Catalogs and catalog items".
 */
import type { CatalogWithRefs } from '#db/queries/catalogs.ts';
import { toUrn } from '#lib/urn.ts';
import { iso, ref } from './common.ts';

/** Renders a catalog; `numberOfVAppTemplates` is what the template cache offers the caller. */
export function catalogView(cat: CatalogWithRefs, numberOfVAppTemplates: number) {
  return {
    id: toUrn('catalog', cat.id),
    name: cat.name,
    description: cat.description,
    org: ref('org', cat.orgId, cat.orgName),
    owner: cat.ownerId && cat.ownerName !== null ? ref('user', cat.ownerId, cat.ownerName) : null,
    isPublished: cat.isPublished,
    isSubscribed: false,
    isLocal: true,
    numberOfVAppTemplates,
    numberOfMedia: 0,
    creationDate: iso(cat.createdAt),
    lastModifiedDate: iso(cat.updatedAt),
    version: cat.version,
  };
}
