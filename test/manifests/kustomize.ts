/**
 * A tiny kustomize renderer for the tests, so they run where `kubectl` is absent (CI): it knows
 * exactly what manifests/ uses — `resources` (files and folders), `namespace`, `images` and inline
 * JSON 6902 `patches` with a kind/name target — and throws on anything else, so a new feature in the
 * manifests cannot be silently ignored. Where kubectl is present the tests compare it with
 * `kubectl kustomize`.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments, parse } from 'yaml';

export type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; [k: string]: any };

const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'PersistentVolume', 'StorageClass']);
const KNOWN_FIELDS = new Set(['apiVersion', 'kind', 'namespace', 'resources', 'images', 'patches']);

/** Parses YAML text that may hold several documents; throws on any syntax error. */
export function parseYamlDocs(text: string, name: string): any[] {
  const docs = parseAllDocuments(text);
  for (const d of docs) if (d.errors.length) throw new Error(`${name}: ${d.errors.map((e) => e.message).join('; ')}`);
  return docs.map((d) => d.toJS()).filter((x) => x != null);
}

/** Parses a YAML file that may hold several documents; throws on any syntax error. */
export function readYamlDocs(file: string): any[] {
  return parseYamlDocs(readFileSync(file, 'utf8'), file);
}

/** Renders the kustomization in `dir` (like `kubectl kustomize dir`). */
export function render(dir: string): K8sObject[] {
  const kfile = join(dir, 'kustomization.yaml');
  if (!existsSync(kfile)) throw new Error(`${dir}: no kustomization.yaml`);
  const k = parse(readFileSync(kfile, 'utf8'));
  for (const key of Object.keys(k)) if (!KNOWN_FIELDS.has(key)) throw new Error(`${kfile}: the test renderer does not know '${key}'`);
  let objects: K8sObject[] = [];
  for (const r of k.resources ?? []) {
    const p = join(dir, r);
    objects.push(...(statSync(p).isDirectory() ? render(p) : (readYamlDocs(p) as K8sObject[])));
  }
  objects = structuredClone(objects);
  if (k.namespace) {
    for (const o of objects) if (!CLUSTER_SCOPED.has(o.kind)) o.metadata.namespace = k.namespace;
  }
  for (const img of k.images ?? []) {
    for (const o of objects) {
      for (const c of [...(o.spec?.template?.spec?.containers ?? []), ...(o.spec?.template?.spec?.initContainers ?? [])]) {
        const [name, tag] = splitImage(c.image);
        if (name === img.name) c.image = `${img.newName ?? name}:${img.newTag ?? tag ?? 'latest'}`;
      }
    }
  }
  for (const p of k.patches ?? []) {
    const t = p.target ?? {};
    const ops = parse(p.patch) as { op: string; path: string; value?: unknown }[];
    const hits = objects.filter((o) => (!t.kind || o.kind === t.kind) && (!t.name || o.metadata.name === t.name));
    if (!hits.length) throw new Error(`${kfile}: patch target matches nothing`);
    for (const o of hits) for (const op of ops) applyOp(o, op);
  }
  return objects;
}

function splitImage(image: string): [string, string | undefined] {
  const i = image.lastIndexOf(':');
  return i > image.lastIndexOf('/') ? [image.slice(0, i), image.slice(i + 1)] : [image, undefined];
}

function applyOp(o: any, op: { op: string; path: string; value?: unknown }) {
  const keys = op.path.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const last = keys.pop()!;
  let cur = o;
  for (const key of keys) {
    if (cur[key] === undefined) throw new Error(`patch path ${op.path} does not exist`);
    cur = cur[key];
  }
  if (op.op === 'remove') {
    if (!(last in cur)) throw new Error(`patch path ${op.path} does not exist`);
    if (Array.isArray(cur)) cur.splice(Number(last), 1);
    else delete cur[last];
  } else if (op.op === 'add' || op.op === 'replace') {
    if (Array.isArray(cur)) last === '-' ? cur.push(op.value) : cur.splice(Number(last), op.op === 'add' ? 0 : 1, op.value);
    else cur[last] = op.value;
  } else {
    throw new Error(`the test renderer does not know patch op '${op.op}'`);
  }
}

/** `kind/namespace/name` → object, for comparisons that ignore output order. */
export function byKey(objects: K8sObject[]): Record<string, K8sObject> {
  const out: Record<string, K8sObject> = {};
  for (const o of objects) {
    const key = `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
    if (out[key]) throw new Error(`duplicate object ${key}`);
    out[key] = o;
  }
  return out;
}
