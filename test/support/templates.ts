/**
 * A test double of the template cache seam (lib/k8s/cluster.ts `templates()`), for catalog tests
 * that do not need the cluster simulator.
 */
import type { CatalogTemplate, TemplateSource } from '#lib/catalog/template.ts';
import type { Cluster } from '#lib/k8s/cluster.ts';

/** A parsed template with plausible defaults. */
export function fakeTemplate(name: string, extra: Partial<CatalogTemplate> = {}): CatalogTemplate {
  return {
    namespace: 'openshift', name, displayName: name, description: `${name} template`,
    osType: 'fedora39', osName: 'Fedora 39', iconClass: 'icon-fedora', tags: ['kubevirt', 'fedora'],
    flavor: 'small', workload: 'server', hidden: false, deprecated: false, architecture: null,
    bootSource: null, status: 'AVAILABLE', statusMessage: null,
    numberOfVMs: 1, numberOfCpus: 1, memoryBytes: 2 * 1024 ** 3, storageBytes: 30 * 1024 ** 3,
    parameters: [{ name: 'NAME', displayName: 'VM name', description: 'Name of the VM', required: true, hasDefault: false, generated: false }],
    creationTimestamp: '2026-11-01T10:00:00Z', resourceVersion: '42',
    ...extra,
  };
}

/** A mutable template source: `set()` swaps in a new list, as the informer cache does on change. */
export class FakeTemplateSource implements TemplateSource {
  private items: readonly CatalogTemplate[];
  listCalls = 0;
  constructor(items: CatalogTemplate[] = []) {
    this.items = items;
  }
  set(items: CatalogTemplate[]): void {
    this.items = items;
  }
  list(): readonly CatalogTemplate[] {
    this.listCalls++;
    return this.items;
  }
  get(namespace: string, name: string): CatalogTemplate | undefined {
    return this.items.find((t) => t.namespace === namespace && t.name === name);
  }
}

/**
 * A healthy cluster whose only capability is the template cache: catalog routes use nothing else,
 * and any other call fails the test loudly (TypeError → 500).
 */
export function fakeCluster(source: TemplateSource | undefined): Cluster {
  const partial: Pick<Cluster, 'health' | 'templates'> = { health: () => ({ kubernetes: 'ok', informers: 'synced' }), templates: () => source };
  return partial as Partial<Cluster> as Cluster;
}
