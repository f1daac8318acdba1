/**
 * Installs the Template, TemplateInstance, VirtualMachine and VirtualMachineInstance CRDs on an API
 * server that lacks them (decided from discovery, so an OpenShift/KubeVirt cluster is left untouched),
 * then waits until discovery serves them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CustomObjectsApi, type KubeConfig, type V1CustomResourceDefinition } from '@kubernetes/client-node';
import fetch from 'node-fetch';
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

/**
 * Creates one CRD as its manifest says. Not ApiextensionsV1Api.createCustomResourceDefinition: its
 * typed serializer reads the schema flags under their model names
 * (`x_kubernetes_preserve_unknown_fields`), so the YAML's `x-kubernetes-preserve-unknown-fields`
 * never reached the server, which then pruned e.g. a TemplateInstance's `spec.template` to `{}`.
 * KubernetesObjectApi serializes known kinds through the same typed model, so the manifest goes out
 * as raw JSON (client-node's own fetch, with the kubeconfig's credentials and CA).
 */
export async function createCrd(kc: KubeConfig, crd: V1CustomResourceDefinition): Promise<void> {
  const server = kc.getCurrentCluster()?.server;
  if (!server) throw new Error('kubeconfig has no current cluster');
  const init = await kc.applyToFetchOptions({});
  // The credentials come back as a Headers object (or a plain map): copy them into a plain map.
  const headers: Record<string, string> = {};
  const h = init.headers as { forEach?: (fn: (v: string, k: string) => void) => void } | Record<string, string> | undefined;
  if (h && typeof h.forEach === 'function') (h as { forEach: (fn: (v: string, k: string) => void) => void }).forEach((v, k) => { headers[k] = v; });
  else if (h) Object.assign(headers, h);
  const res = await fetch(`${server.replace(/\/$/, '')}/apis/apiextensions.k8s.io/v1/customresourcedefinitions`, {
    ...init, method: 'POST', body: JSON.stringify(crd),
    headers: { ...headers, 'Content-Type': 'application/json', Accept: 'application/json' },
  } as never);
  if (!res.ok) {
    const text = await res.text();
    throw Object.assign(new Error(`creating CRD ${crd.metadata?.name}: HTTP ${res.status}: ${text}`), { code: res.status });
  }
}

/** Creates each missing CRD; returns the names created. Waits (≤ timeoutMs) until all are served. */
export async function installCrds(
  kc: KubeConfig,
  opts: { log?: (msg: string) => void; timeoutMs?: number } = {},
): Promise<string[]> {
  const log = opts.log ?? (() => {});
  const custom = kc.makeApiClient(CustomObjectsApi);
  const created: string[] = [];
  const wanted = loadCrdManifests();
  for (const crd of wanted) {
    const { group, names } = crd.spec;
    const version = crd.spec.versions[0]!.name;
    if (await served(custom, group, version, names.plural)) continue;
    try {
      await createCrd(kc, crd);
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
