/**
 * Loads a catalog the caller may see (or the VCD 403), and the org a request body names.
 */
import type { Ctx } from '#lib/http/route.ts';
import { findCatalog, type CatalogWithRefs } from '#db/queries/catalogs.ts';
import { findOrg, type OrgRow } from '#db/queries/orgs.ts';
import { authorize, canSee, type Action } from '#lib/authz.ts';
import { badRequest, notVisible } from '#lib/http/errors.ts';
import { parseUrn, toUrn } from '#lib/urn.ts';

/** The catalog `id` if the caller may `action` it (published catalogs are readable by every org). */
export function visibleCatalog(c: Ctx, id: string, action: Action = 'read'): CatalogWithRefs {
  const cat = findCatalog(c.var.db, id);
  if (!cat) throw notVisible('catalog', toUrn('catalog', id));
  authorize(c.var.session!, 'catalog', action, { orgId: cat.orgId, published: cat.isPublished }, { type: 'catalog', id });
  return cat;
}

/**
 * The org a catalog body names (`orgId` or `org.id`, URN or bare UUID); 400 when malformed,
 * the VCD 403 when it does not exist or the caller cannot see it; undefined when not named.
 */
export function bodyOrg(c: Ctx, body: { orgId?: string; org?: { id?: string } }): OrgRow | undefined {
  const [field, raw] = body.orgId !== undefined ? ['orgId', body.orgId] : ['org.id', body.org?.id];
  if (raw === undefined) return undefined;
  const id = parseUrn('org', raw);
  if (!id) throw badRequest(`${field}: must be a URN urn:vcloud:org:<uuid>`);
  const org = findOrg(c.var.db, id);
  if (!org || !canSee(c.var.session!, 'org', { orgId: org.id })) throw notVisible('org', toUrn('org', id));
  return org;
}
