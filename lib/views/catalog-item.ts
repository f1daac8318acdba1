/**
 * The catalog item of docs/api.md "Catalogs and catalog items": a template as offered by one catalog.
 */
import type { CatalogWithRefs } from '#db/queries/catalogs.ts';
import type { ItemEntry } from '#lib/catalog/items.ts';
import { toUrn } from '#lib/urn.ts';
import { ref } from './common.ts';

function isoOf(s: string | null): string | null {
  const t = s ? Date.parse(s) : NaN;
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}

/** Kubernetes resource versions are opaque strings; VCD's versionNumber is an integer. */
function versionNumber(rv: string): number {
  return /^\d{1,15}$/.test(rv) ? Number(rv) : 1;
}

/** Renders one item of a catalog. */
export function catalogItemView(cat: CatalogWithRefs, e: ItemEntry) {
  const t = e.template;
  const created = isoOf(t.creationTimestamp);
  const catalogUrn = toUrn('catalog', cat.id);
  return {
    id: toUrn('catalogitem', e.id),
    name: t.name,
    displayName: t.displayName,
    description: t.description,
    catalogId: catalogUrn,
    catalog: { name: cat.name, id: catalogUrn },
    org: ref('org', cat.orgId, cat.orgName),
    isPublished: cat.isPublished,
    isExpired: false,
    status: t.status,
    // An SSVirt field, not VCD's (docs/api.md "Catalogs and catalog items"): why an UNAVAILABLE item cannot be instantiated.
    statusMessage: t.statusMessage,
    versionNumber: versionNumber(t.resourceVersion),
    creationDate: created,
    modificationDate: created,
    size: t.storageBytes,
    owner: cat.ownerId && cat.ownerName !== null ? ref('user', cat.ownerId, cat.ownerName) : null,
    osType: t.osType,
    os_type: t.osType,
    osName: t.osName,
    iconClass: t.iconClass,
    tags: [...t.tags],
    flavor: t.flavor,
    workload: t.workload,
    hidden: t.hidden,
    deprecated: t.deprecated,
    // An SSVirt field, not VCD's (docs/api.md "Catalogs and catalog items"): template.kubevirt.io/architecture, null when absent.
    architecture: t.architecture,
    parameters: t.parameters.map((p) => ({
      name: p.name, displayName: p.displayName, description: p.description,
      required: p.required, hasDefault: p.hasDefault, generated: p.generated,
    })),
    template: { namespace: t.namespace, name: t.name },
    entity: {
      type: 'application/vnd.vmware.vcloud.vAppTemplate+xml',
      name: t.name,
      description: t.description,
      numberOfVMs: t.numberOfVMs,
      numberOfCpus: t.numberOfCpus,
      memoryAllocation: t.memoryBytes,
      storageAllocation: t.storageBytes,
    },
  };
}
