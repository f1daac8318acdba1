/**
 * Installs the Template, TemplateInstance, VirtualMachine and VirtualMachineInstance CRDs on an API
 * server that lacks them (decided from discovery, so an OpenShift/KubeVirt cluster is left untouched),
 * then waits until discovery serves them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CustomObjectsApi, KubernetesObjectApi, type KubeConfig, type KubernetesObject, type V1CustomResourceDefinition } from '@kubernetes/client-node';
import { parse } from 'yaml';

const DIR = dirname(fileURLToPath(import.meta.url));

/** The CRD manifests in this folder. */
export function loadCrdManifests(): V1CustomResourceDefinition[] {
  return readdirSync(DIR)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => parse(readFileSync(join(DIR, f), 'utf8')) as V1CustomResourceDefinition);
}

async function served(custom: CustomObjectsApi, group: string, version: string, plural: string): Promise<boolean> {
  try {
    const list = await custom.getAPIResources({ group, version });
    return (list.resources ?? []).some((r) => r.name === plural);
  } catch {
    return false; // 404: group/version not served at all
  }
}

/** Creates each missing CRD; returns the names created. Waits (≤ timeoutMs) until all are served. */
export async function installCrds(
  kc: KubeConfig,
  opts: { log?: (msg: string) => void; timeoutMs?: number } = {},
): Promise<string[]> {
  const log = opts.log ?? (() => {});
  const custom = kc.makeApiClient(CustomObjectsApi);
  // Not ApiextensionsV1Api.createCustomResourceDefinition: its typed serializer reads the schema
  // flags under their model names (`x_kubernetes_preserve_unknown_fields`), so the YAML's
  // `x-kubernetes-preserve-unknown-fields` never reached the server and it pruned `spec.template`
  // to `{}`. KubernetesObjectApi sends the manifest as it is.
  const objects = KubernetesObjectApi.makeApiClient(kc);
  const created: string[] = [];
  const wanted = loadCrdManifests();
  for (const crd of wanted) {
    const { group, names } = crd.spec;
    const version = crd.spec.versions[0]!.name;
    if (await served(custom, group, version, names.plural)) continue;
    try {
      await objects.create(crd as unknown as KubernetesObject);
      created.push(crd.metadata!.name!);
      log(`installed CRD ${crd.metadata!.name}`);
    } catch (e) {
      if ((e as { code?: number }).code !== 409) throw e;
    }
  }
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  for (const crd of wanted) {
    const version = crd.spec.versions[0]!.name;
    while (!(await served(custom, crd.spec.group, version, crd.spec.names.plural))) {
      if (Date.now() > deadline) throw new Error(`CRD ${crd.metadata!.name} is not served after waiting`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return created;
}
