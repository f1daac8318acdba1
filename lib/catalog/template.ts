/**
 * A VM template as the catalog sees it: an OpenShift `Template` already parsed by the Kubernetes
 * integration (docs/kubernetes.md "Templates → catalog items"). Catalog items are derived from these;
 * nothing here is stored in SQLite.
 */

export interface TemplateParameter {
  name: string;
  displayName: string;
  description: string;
  required: boolean;
  hasDefault: boolean;
  /** Whether OpenShift generates the value (`generate: expression`); the value is never exposed. */
  generated: boolean;
}

export const CATALOG_ITEM_STATUS = { available: 'AVAILABLE', unavailable: 'UNAVAILABLE' } as const;
export type CatalogItemStatus = (typeof CATALOG_ITEM_STATUS)[keyof typeof CATALOG_ITEM_STATUS];

export interface CatalogTemplate {
  namespace: string;
  name: string;
  /** Annotation `openshift.io/display-name`, else the name. */
  displayName: string;
  /** Annotation `description`, else `openshift.io/long-description`, else ''. */
  description: string;
  /** First `os.template.kubevirt.io/<os>` label set to "true" (sorted), else the VM's `vm.kubevirt.io/os`. */
  osType: string | null;
  /** From `name.os.template.kubevirt.io/<os>`, e.g. `Fedora 39`. */
  osName: string | null;
  iconClass: string | null;
  tags: readonly string[];
  flavor: string | null;
  workload: string | null;
  /** Tagged `hidden`. Informational only: it hides nothing (the console's own convention). */
  hidden: boolean;
  /** `template.kubevirt.io/deprecated: "true"` as label or annotation: offered to system administrators only. */
  deprecated: boolean;
  /** Annotation `template.kubevirt.io/architecture`, e.g. `amd64`; null when absent. */
  architecture: string | null;
  /** The default boot source (a CDI DataSource) of its VM, when it clones from one. */
  bootSource: { namespace: string; name: string } | null;
  /** UNAVAILABLE when the default boot source is missing or not Ready (`statusMessage` says which). */
  status: CatalogItemStatus;
  statusMessage: string | null;
  numberOfVMs: number;
  /** null when the template does not say (or says it through a parameter without a default). */
  numberOfCpus: number | null;
  memoryBytes: number | null;
  storageBytes: number | null;
  parameters: readonly TemplateParameter[];
  /** `metadata.creationTimestamp` (ISO 8601). */
  creationTimestamp: string | null;
  resourceVersion: string;
}

/**
 * The in-memory template cache. `list()` must return the same array object until the set of
 * templates changes (a new array on every change): derived per-catalog indexes are keyed by it.
 */
export interface TemplateSource {
  list(): readonly CatalogTemplate[];
  get(namespace: string, name: string): CatalogTemplate | undefined;
}
