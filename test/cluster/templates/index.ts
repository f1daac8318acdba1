/**
 * Sample OpenShift VM templates (the YAML files in this folder, written for SSVirt in the format of
 * OpenShift Virtualization's common templates, plus two made the way users make them) and helpers
 * to load them into a cluster with the boot sources and instancetypes they need, plus a generator
 * of many distinct templates for benchmarks.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CoreV1Api, CustomObjectsApi, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { bootSourceRef } from '#lib/k8s/boot-sources.ts';
import { parameterDefaults } from '#lib/k8s/template-params.ts';

const DIR = dirname(fileURLToPath(import.meta.url));
/** Cluster-scoped KubeVirt objects the samples reference (instancetypes, preferences). */
const INSTANCETYPE_DIR = join(DIR, 'instancetypes');
const GROUP = 'template.openshift.io';
const VERSION = 'v1';

export interface Template extends KubernetesObject {
  objects: any[];
  parameters?: Array<{ name: string; value?: string; generate?: string; from?: string; required?: boolean; description?: string; displayName?: string }>;
  labels?: Record<string, string>;
  message?: string;
}

/** The sample templates, parsed fresh on each call (callers may mutate them). */
export function sampleTemplates(): Template[] {
  return readdirSync(DIR)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => parse(readFileSync(join(DIR, f), 'utf8')) as Template);
}

const code = (e: unknown) => (e as { code?: number }).code;

/** JSON with sorted keys: API servers store custom resources with their keys re-ordered. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v ?? null);
}

async function ensureNamespace(core: CoreV1Api, name: string): Promise<void> {
  try {
    await core.readNamespace({ name });
  } catch (e) {
    if (code(e) !== 404) throw e;
    try {
      await core.createNamespace({ body: { metadata: { name } } });
    } catch (err) {
      if (code(err) !== 409) throw err;
    }
  }
}

/** Creates `templates` in `namespace`, replacing those that differ; returns how many were written. */
export async function applyTemplates(kc: KubeConfig, templates: Template[], namespace: string, concurrency = 16): Promise<number> {
  const core = kc.makeApiClient(CoreV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  await ensureNamespace(core, namespace);
  let written = 0;
  const queue = [...templates];
  async function worker(): Promise<void> {
    for (let t = queue.shift(); t; t = queue.shift()) {
      const name = t.metadata!.name!;
      const body = { ...t, apiVersion: `${GROUP}/${VERSION}`, kind: 'Template', metadata: { ...t.metadata, namespace } };
      const where = { group: GROUP, version: VERSION, plural: 'templates', namespace };
      try {
        await custom.createNamespacedCustomObject({ ...where, body });
        written++;
        continue;
      } catch (e) {
        if (code(e) !== 409) throw e;
      }
      const current = (await custom.getNamespacedCustomObject({ ...where, name })) as Template;
      const same =
        canonical([current.objects, current.parameters, current.labels, current.message, current.metadata?.labels, current.metadata?.annotations]) ===
        canonical([body.objects, body.parameters, body.labels, body.message, body.metadata?.labels, body.metadata?.annotations]);
      if (same) continue;
      await custom.replaceNamespacedCustomObject({
        ...where,
        name,
        body: { ...body, metadata: { ...body.metadata, resourceVersion: current.metadata?.resourceVersion } },
      });
      written++;
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, templates.length)) }, worker));
  return written;
}

/**
 * Loads the sample templates into `namespace` (created when missing). Idempotent: existing equal
 * templates are left alone, changed ones replaced. Resolves to the number of sample templates.
 */
export async function loadSampleTemplates(kc: KubeConfig, namespace = 'openshift'): Promise<number> {
  const templates = sampleTemplates();
  await applyBootSources(kc, templates);
  await applyInstancetypes(kc);
  await applyTemplates(kc, templates, namespace);
  return templates.length;
}

/** The instancetype and preference objects of `instancetypes/`, parsed fresh on each call. */
export function sampleInstancetypes(): KubernetesObject[] {
  return readdirSync(INSTANCETYPE_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => parse(readFileSync(join(INSTANCETYPE_DIR, f), 'utf8')) as KubernetesObject);
}

const CLUSTER_PLURALS: Record<string, string> = {
  VirtualMachineClusterInstancetype: 'virtualmachineclusterinstancetypes',
  VirtualMachineClusterPreference: 'virtualmachineclusterpreferences',
};

/**
 * Creates the sample instancetypes and preferences that do not exist yet; returns the names of
 * those the cluster does not serve the kind of (the simulator has no preferences), which a VM
 * may still name: KubeVirt only resolves them when it starts one. An existing object is left
 * alone, since on a real cluster KubeVirt deploys its own `u1.medium` and owns it.
 */
export async function applyInstancetypes(kc: KubeConfig): Promise<string[]> {
  const custom = kc.makeApiClient(CustomObjectsApi);
  const unserved: string[] = [];
  for (const obj of sampleInstancetypes()) {
    const [group, version] = obj.apiVersion!.split('/') as [string, string];
    const plural = CLUSTER_PLURALS[obj.kind!];
    if (!plural) throw new Error(`instancetypes/: no plural known for kind ${obj.kind}`);
    try {
      await custom.createClusterCustomObject({ group, version, plural, body: obj });
    } catch (e) {
      if (code(e) === 409) continue;
      // Only a preference may be missing: without the instancetype a sample has no size.
      if (code(e) === 404 && obj.kind === 'VirtualMachineClusterPreference') {
        unserved.push(`${obj.kind}/${obj.metadata!.name}`);
        continue;
      }
      throw e;
    }
  }
  return unserved;
}

/** The default boot sources (DataSource namespace/name, from the parameter defaults) of templates. */
export function defaultBootSources(templates: Template[]): { namespace: string; name: string }[] {
  const seen = new Map<string, { namespace: string; name: string }>();
  for (const t of templates) {
    const ref = bootSourceRef(t, parameterDefaults(t));
    if (ref) seen.set(`${ref.namespace}/${ref.name}`, ref);
  }
  return [...seen.values()];
}

/**
 * Creates each default boot source as a Ready DataSource (with the namespace), as an OpenShift
 * Virtualization cluster has them once its golden images are imported. Nothing simulates CDI's
 * import itself: the status is written as CDI would report it for an imported PVC source.
 */
export async function applyBootSources(kc: KubeConfig, templates: Template[]): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const api = { group: 'cdi.kubevirt.io', version: 'v1beta1', plural: 'datasources' };
  for (const ref of defaultBootSources(templates)) {
    await ensureNamespace(core, ref.namespace);
    const body = {
      apiVersion: 'cdi.kubevirt.io/v1beta1', kind: 'DataSource',
      metadata: { name: ref.name, namespace: ref.namespace },
      spec: { source: { pvc: { name: `${ref.name}-golden`, namespace: ref.namespace } } },
    };
    try {
      await custom.createNamespacedCustomObject({ ...api, namespace: ref.namespace, body });
    } catch (e) {
      if (code(e) !== 409) throw e;
    }
    await setDataSourceReady(kc, ref, true);
  }
}

/** Writes a DataSource's Ready condition through its status subresource. */
export async function setDataSourceReady(kc: KubeConfig, ref: { namespace: string; name: string }, ready: boolean): Promise<void> {
  const custom = kc.makeApiClient(CustomObjectsApi);
  const current = await custom.getNamespacedCustomObjectStatus({ group: 'cdi.kubevirt.io', version: 'v1beta1', plural: 'datasources', namespace: ref.namespace, name: ref.name }) as Record<string, any>;
  const condition = ready
    ? { type: 'Ready', status: 'True', reason: 'Ready', message: '', lastTransitionTime: new Date().toISOString() }
    : { type: 'Ready', status: 'False', reason: 'NotFound', message: 'source PVC not found', lastTransitionTime: new Date().toISOString() };
  await custom.replaceNamespacedCustomObjectStatus({
    group: 'cdi.kubevirt.io', version: 'v1beta1', plural: 'datasources', namespace: ref.namespace, name: ref.name,
    body: { ...current, status: { ...current.status, conditions: [condition] } },
  });
}

const FLAVORS = [
  { flavor: 'small', cpu: { sockets: 1, cores: 1, threads: 1 }, memory: '2Gi' },
  { flavor: 'medium', cpu: { sockets: 1, cores: 1, threads: 1 }, memory: '4Gi' },
  { flavor: 'large', cpu: { sockets: 2, cores: 1, threads: 1 }, memory: '8Gi' },
];

/**
 * `n` distinct templates for benchmarks: the common samples' OSes in rotation (one base template
 * per OS, deprecated and user-made ones left out), each with its own name
 * (`<os>-server-<flavor>-<i>`), flavor, CPU and memory (written in the base's memory format).
 */
export function makeTemplates(n: number): Template[] {
  const bases = sampleTemplates().filter((t) => {
    const labels = t.metadata?.labels ?? {};
    if (labels['template.kubevirt.io/type'] !== 'base' || t.metadata?.annotations?.['template.kubevirt.io/deprecated'] === 'true') return false;
    return labels['flavor.template.kubevirt.io/small'] === 'true' || t.metadata?.name?.startsWith('windows');
  });
  const out: Template[] = [];
  for (let i = 0; i < n; i++) {
    const t = structuredClone(bases[i % bases.length]!);
    const size = FLAVORS[Math.floor(i / bases.length) % FLAVORS.length]!;
    const os = t.metadata!.name!.replace(/-server-.*$/, '');
    const name = `${os}-server-${size.flavor}-${String(i).padStart(5, '0')}`;
    const labels = Object.fromEntries(Object.entries(t.metadata!.labels ?? {}).filter(([k]) => !k.startsWith('flavor.template.kubevirt.io/') && k !== 'template.kubevirt.io/default-os-variant'));
    t.metadata = {
      name,
      labels: { ...labels, [`flavor.template.kubevirt.io/${size.flavor}`]: 'true' },
      annotations: { ...t.metadata!.annotations, 'openshift.io/display-name': `${t.metadata!.annotations?.['openshift.io/display-name']} #${i}` },
    };
    const vm = t.objects[0];
    vm.metadata.labels['vm.kubevirt.io/template'] = name;
    vm.spec.template.metadata.annotations['vm.kubevirt.io/flavor'] = size.flavor;
    vm.spec.template.metadata.labels['kubevirt.io/size'] = size.flavor;
    const domain = vm.spec.template.spec.domain;
    domain.cpu = { ...size.cpu };
    if (domain.resources?.requests?.memory !== undefined) domain.resources.requests.memory = size.memory;
    else domain.memory = { guest: size.memory };
    out.push(t);
  }
  return out;
}
