/**
 * OpenShift Templates → catalog templates (docs/kubernetes.md "Templates → catalog items"). The
 * parsed list is rebuilt lazily after the template informer reports a change, and is the same
 * array object until then (catalog indexes are keyed by it).
 */
import { CATALOG_ITEM_STATUS, type CatalogTemplate, type TemplateParameter, type TemplateSource } from '#lib/catalog/template.ts';
import { parameterDefaults, substitute } from './template-params.ts';
import { bootSourceRef, type BootSourceRef, type BootSourceState } from './boot-sources.ts';
import { parseQuantity } from './quantity.ts';
import { referencedSize, type InstancetypeLookup } from './instancetypes.ts';

type Obj = Record<string, any>;

const OS_PREFIX = 'os.template.kubevirt.io/';
const FLAVOR_PREFIX = 'flavor.template.kubevirt.io/';
const WORKLOAD_PREFIX = 'workload.template.kubevirt.io/';
const DEPRECATED = 'template.kubevirt.io/deprecated';
const ARCHITECTURE = 'template.kubevirt.io/architecture';
const VM_OS = 'vm.kubevirt.io/os';

/** The first VM's `vm.kubevirt.io/os`, looked up where real templates put it first. */
function vmOs(vms: Obj[]): string | null {
  for (const vm of vms) {
    const v = vm?.spec?.template?.metadata?.annotations?.[VM_OS] ?? vm?.spec?.template?.metadata?.labels?.[VM_OS]
      ?? vm?.metadata?.annotations?.[VM_OS] ?? vm?.metadata?.labels?.[VM_OS];
    if (typeof v === 'string' && v) return v;
  }
  return null;
}

/** Whether a Template offers a KubeVirt VirtualMachine (else it is not a catalog item). */
export function isVmTemplate(t: Obj): boolean {
  return (t.objects ?? []).some((o: Obj) => o?.kind === 'VirtualMachine' && String(o?.apiVersion ?? '').startsWith('kubevirt.io/'));
}

/**
 * Parses one Template object. `instancetypes` resolves a VM's `spec.instancetype` (its CPU and
 * memory are null without it, or when the instancetype is unknown).
 */
export function parseTemplate(t: Obj, instancetypes?: InstancetypeLookup): CatalogTemplate {
  const md = t.metadata ?? {};
  const labels: Record<string, string> = md.labels ?? {};
  const ann: Record<string, string> = md.annotations ?? {};
  const params: Obj[] = Array.isArray(t.parameters) ? t.parameters : [];
  const defaults = parameterDefaults(t);
  const vms: Obj[] = (t.objects ?? []).filter((o: Obj) => o?.kind === 'VirtualMachine');
  // Real templates carry several OS labels; take the first set to "true" in sorted order so the
  // choice does not depend on key order. Else the VM's own `vm.kubevirt.io/os`, which the common
  // templates put on the VM's pod template annotations.
  const osKey = Object.keys(labels).sort().find((k) => k.startsWith(OS_PREFIX) && labels[k] === 'true');
  const osType = osKey ? osKey.slice(OS_PREFIX.length) : vmOs(vms);
  const tags = (ann.tags ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const suffix = (prefix: string) => {
    const k = Object.keys(labels).find((x) => x.startsWith(prefix) && labels[x] !== 'false');
    return k ? k.slice(prefix.length) : null;
  };
  let cpus: number | null = 0;
  let memory: number | null = 0;
  let storage: number | null = null;
  for (const vm of vms) {
    const domain = vm?.spec?.template?.spec?.domain ?? {};
    // A namespaced instancetype lives in the VDC namespace the VM will be created in: unknown here.
    const sized = referencedSize(vm, instancetypes, defaults);
    const c = sized ? sized.cpus : vmCpus(domain.cpu, defaults);
    cpus = cpus === null || c === null ? null : cpus + c;
    const m = sized ? sized.memoryBytes ?? undefined : parseQuantity(substitute(domain.memory?.guest ?? domain.resources?.requests?.memory, defaults));
    memory = memory === null || m === undefined ? null : memory + m;
    for (const dv of vm?.spec?.dataVolumeTemplates ?? []) {
      const s = parseQuantity(substitute(dv?.spec?.storage?.resources?.requests?.storage ?? dv?.spec?.pvc?.resources?.requests?.storage, defaults));
      if (s !== undefined) storage = (storage ?? 0) + s;
    }
  }
  if (vms.length === 0) { cpus = null; memory = null; }
  return {
    namespace: String(md.namespace ?? ''),
    name: String(md.name ?? ''),
    displayName: ann['openshift.io/display-name'] || String(md.name ?? ''),
    description: ann.description || ann['openshift.io/long-description'] || '',
    osType,
    osName: osType ? ann[`name.os.template.kubevirt.io/${osType}`] ?? null : null,
    iconClass: ann.iconClass ?? null,
    tags,
    flavor: suffix(FLAVOR_PREFIX),
    workload: suffix(WORKLOAD_PREFIX),
    hidden: tags.includes('hidden'),
    // The common templates mark deprecation with the label or the annotation, value "true".
    deprecated: labels[DEPRECATED] === 'true' || ann[DEPRECATED] === 'true',
    architecture: ann[ARCHITECTURE] || labels[ARCHITECTURE] || null,
    bootSource: bootSourceRef(t, defaults) ?? null,
    status: CATALOG_ITEM_STATUS.available,
    statusMessage: null,
    numberOfVMs: vms.length,
    numberOfCpus: cpus,
    memoryBytes: memory,
    storageBytes: storage,
    parameters: params.filter((p) => p?.name).map((p): TemplateParameter => ({
      name: String(p.name),
      displayName: String(p.displayName ?? p.name),
      description: String(p.description ?? ''),
      required: p.required === true,
      hasDefault: p.value !== undefined && p.value !== '',
      generated: p.generate === 'expression',
    })),
    creationTimestamp: md.creationTimestamp ? new Date(md.creationTimestamp).toISOString() : null,
    resourceVersion: String(md.resourceVersion ?? ''),
  };
}

function vmCpus(cpu: Obj | undefined, defaults: Map<string, string>): number | null {
  if (!cpu) return null;
  const part = (v: unknown) => {
    if (v === undefined) return 1;
    const n = Number(substitute(v, defaults));
    return Number.isFinite(n) && n > 0 ? n : NaN;
  };
  const total = part(cpu.cores) * part(cpu.sockets) * part(cpu.threads);
  return Number.isNaN(total) ? null : total;
}

/** A TemplateSource over an informer's objects. */
export class TemplateCache implements TemplateSource {
  private parsed: readonly CatalogTemplate[] = [];
  private byKey = new Map<string, CatalogTemplate>();
  private dirty = true;

  /**
   * `bootSource` tells whether a DataSource can boot a VM; without it (no cluster side to ask)
   * every item is AVAILABLE. The list is rebuilt (a new array) when DataSources or instancetypes
   * change too, so caches keyed on its identity follow boot-source readiness and sizes.
   */
  constructor(
    private readonly objects: () => readonly Obj[],
    private readonly bootSource?: (ref: BootSourceRef) => BootSourceState,
    private readonly instancetypes?: InstancetypeLookup,
  ) {}

  /** Marks the cache stale; the next read rebuilds it. */
  invalidate(): void {
    this.dirty = true;
  }

  list(): readonly CatalogTemplate[] {
    if (this.dirty) {
      const out = this.objects().filter(isVmTemplate).map((o) => this.withAvailability(parseTemplate(o, this.instancetypes)))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.namespace < b.namespace ? -1 : 1));
      this.parsed = out;
      this.byKey = new Map(out.map((t) => [`${t.namespace}/${t.name}`, t]));
      this.dirty = false;
    }
    return this.parsed;
  }

  private withAvailability(t: CatalogTemplate): CatalogTemplate {
    if (!t.bootSource || !this.bootSource) return t;
    const state = this.bootSource(t.bootSource);
    return state.ready ? t : { ...t, status: CATALOG_ITEM_STATUS.unavailable, statusMessage: state.reason };
  }

  get(namespace: string, name: string): CatalogTemplate | undefined {
    this.list();
    return this.byKey.get(`${namespace}/${name}`);
  }
}
