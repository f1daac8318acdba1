/**
 * The real kubectl against the simulator, with validation on (no `--validate=false`): `create -f` and
 * `apply -f` of built-in kinds and custom resources, kubectl's own client-side validation error for a
 * misspelled field of a built-in kind (validated from `/openapi/v2`), the error for one of a custom
 * resource (the server's strict decoding error: kubectl ≥1.25 sends `fieldValidation=Strict` because
 * the OpenAPI documents say the kind supports it; older kubectl's own validation), apply's
 * last-applied annotation and patches (strategic merge for built-in kinds, merge patch for CRDs), and
 * a CRD changed at runtime reaching kubectl (through the v3 document hash for clients that read v3).
 *
 * Runs the kubectl on PATH and, when it is Google Cloud SDK's version dispatcher (which picks the
 * client matching the server, 1.28 here), also the oldest and newest `kubectl.1.NN` next to it.
 * Without kubectl the suite fails, saying so, unless SSVIRT_NO_KUBECTL=1.
 *
 * What is expected depends on the client's version (`kubectl version --client -o json`, asked with
 * the simulator's kubeconfig so that the dispatcher names the client it really runs):
 * - kubectl ≥1.25 sends `fieldValidation=Strict` for a kind whose operations advertise the parameter
 *   (the custom resources here) and shows the server's strict decoding error; older ones (Debian's
 *   kubernetes-client is 1.20) validate every kind client-side from `/openapi/v2` and never send it.
 * - kubectl ≥1.33 logs requests at -v=6 as `"Response" verb="PATCH" url="…" status="200 OK"`,
 *   older ones as `PATCH https://… 200 OK in N milliseconds`.
 */
import { execFile, execFileSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CoreV1Api, CustomObjectsApi, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../index.ts';

const TEMPLATE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'templates');

function onPath(name: string): string | undefined {
  for (const d of (process.env.PATH ?? '').split(delimiter)) {
    const p = join(d, name);
    try { accessSync(p, constants.X_OK); return p; } catch { /* not here */ }
  }
  return undefined;
}

/** The kubectl on PATH, plus the oldest and newest versioned clients installed beside it. */
function kubectls(path: string): { label: string; bin: string }[] {
  const dir = dirname(realpathSync(path));
  const minor = (f: string) => Number(f.split('.')[2]);
  const versioned = readdirSync(dir).filter((f) => /^kubectl\.1\.\d+$/.test(f)).sort((a, b) => minor(a) - minor(b));
  const extra = [...new Set([versioned[0], versioned.at(-1)].filter((f): f is string => !!f))];
  const version = (bin: string) => {
    try {
      return String(JSON.parse(execFileSync(bin, ['version', '--client', '-o', 'json'], { encoding: 'utf8', timeout: 30_000 })).clientVersion.gitVersion);
    } catch { return 'version unknown'; }
  };
  return [{ label: `kubectl on PATH (${version(path)})`, bin: path }, ...extra.map((f) => ({ label: `${f} (${version(join(dir, f))})`, bin: join(dir, f) }))];
}

interface Run { code: number; stdout: string; stderr: string }

/** Runs kubectl asynchronously: the simulator answers it from this same process. */
function kubectl(bin: string, kubeconfig: string, cacheDir: string, args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(bin, ['--kubeconfig', kubeconfig, '--cache-dir', cacheDir, ...args], { timeout: 60_000, encoding: 'utf8' }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const code = (e: unknown) => (e as { code?: number }).code;

/** The version of the client that a kubectl binary runs against the simulator. */
interface Client { version: string; minor: number }

async function clientOf(bin: string, kubeconfig: string, cacheDir: string): Promise<Client> {
  // With a kubeconfig the SDK's dispatcher reports the client it picks for this server, not itself.
  const r = await kubectl(bin, kubeconfig, cacheDir, ['version', '--client', '-o', 'json']);
  let version: string | undefined;
  try { version = String(JSON.parse(r.stdout).clientVersion.gitVersion); } catch { /* below */ }
  const m = version?.match(/^v1\.(\d+)\./);
  if (r.code !== 0 || !version || !m) throw new Error(`${bin}: cannot read its client version (exit ${r.code}): ${r.stdout}${r.stderr}`);
  return { version, minor: Number(m[1]) };
}

/** kubectl ≥1.25 leaves unknown fields to the server when the kind advertises `fieldValidation`. */
const serverSideValidation = (c: Client) => c.minor >= 25;

/**
 * kubectl's error for an unknown field of a custom resource (whose operations advertise
 * `fieldValidation`): the server's strict decoding error from ≥1.25, else its own validation of the
 * file against the `/openapi/v2` definition.
 */
function unknownCrField(c: Client, file: string, f: { serverPath: string; at: string; field: string; definition: string }): string {
  return serverSideValidation(c)
    ? `Error from server (BadRequest): error when creating "${file}": strict decoding error: unknown field "${f.serverPath}"`
    : `error: error validating "${file}": error validating data: ValidationError(${f.at}): unknown field "${f.field}" in ${f.definition}; if you choose to ignore these errors, turn validation off with --validate=false`;
}

/** The -v=6 log line of a PATCH of `url` by client-side apply that was answered 200 (its start). */
function applyPatchLogged(c: Client, url: string): string {
  const target = `${url}?fieldManager=kubectl-client-side-apply${serverSideValidation(c) ? '&fieldValidation=Strict' : ''}`;
  return c.minor >= 33 ? `"Response" verb="PATCH" url="${target}" status="200 OK"` : `] PATCH ${target} 200 OK in `;
}

const noKubectl = process.env.SSVIRT_NO_KUBECTL === '1';
const found = onPath('kubectl');

describe.skipIf(noKubectl)('kubectl create/apply with validation (real kubectl binary)', () => {
  if (!found) {
    it('needs kubectl on PATH', () => {
      throw new Error('kubectl is not on PATH: install it (e.g. the kubectl package or a release from dl.k8s.io), or set SSVIRT_NO_KUBECTL=1 to skip these tests');
    });
    return;
  }
  let sim: Simulator;
  let dir: string;
  beforeAll(async () => {
    sim = await startSimulator({ tls: true });
    dir = mkdtempSync(join(tmpdir(), 'ssvirt-kubectl-'));
  });
  afterAll(async () => { await sim?.stop(); });

  const file = (name: string, content: unknown) => {
    const p = join(dir, name);
    writeFileSync(p, typeof content === 'string' ? content : stringify(content));
    return p;
  };

  describe.each(kubectls(found).map((k, i) => ({ ...k, i })))('$label', ({ bin, i, label }) => {
    const ns = `kctl-${i}`;
    const run = (...args: string[]) => kubectl(bin, sim.kubeconfigPath, join(dir, `cache-${i}`), args);
    const core = () => sim.kubeConfig().makeApiClient(CoreV1Api);
    const custom = () => sim.kubeConfig().makeApiClient(CustomObjectsApi);
    let client: Client;
    beforeAll(async () => { client = await clientOf(bin, sim.kubeconfigPath, join(dir, `cache-${i}`)); });

    it('create -f creates a Namespace', async () => {
      const p = file(`ns-${i}.yaml`, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { by: 'kubectl' } } });
      const r = await run('create', '-f', p);
      expect(r, label).toMatchObject({ code: 0, stdout: `namespace/${ns} created\n` });
      expect((await core().readNamespace({ name: ns })).metadata?.labels).toMatchObject({ by: 'kubectl' });
    });

    it('create -f refuses a misspelled field of a built-in kind with kubectl\'s client-side validation error', async () => {
      const p = file(`ns-bad-${i}.yaml`, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: `${ns}-bad` }, spec: { finalizer: ['x'] } });
      const r = await run('create', '-f', p);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`error: error validating "${p}": error validating data: ValidationError(Namespace.spec): unknown field "finalizer" in io.k8s.api.core.v1.NamespaceSpec; if you choose to ignore these errors, turn validation off with --validate=false`);
      expect(await core().readNamespace({ name: `${ns}-bad` }).catch(code)).toBe(404);
    });

    const template = () => {
      const f = readdirSync(TEMPLATE_DIR).filter((n) => n.endsWith('.yaml')).sort()[0]!;
      return { name: f, doc: parse(readFileSync(join(TEMPLATE_DIR, f), 'utf8')) as Record<string, any> };
    };

    it('create -f refuses a misspelled field of a custom resource (server-side strict from 1.25, else client-side)', async () => {
      const { doc } = template();
      const p = file(`template-bad-${i}.yaml`, { ...doc, metadata: { ...doc.metadata, name: 'misspelled' }, mesage: 'typo' });
      const r = await run('create', '-n', ns, '-f', p);
      expect(r.code, client.version).toBe(1);
      expect(r.stderr, client.version).toContain(unknownCrField(client, p, { serverPath: 'mesage', at: 'Template', field: 'mesage', definition: 'io.openshift.template.v1.Template' }));
      expect(await custom().getNamespacedCustomObject({ group: 'template.openshift.io', version: 'v1', namespace: ns, plural: 'templates', name: 'misspelled' }).catch(code)).toBe(404);
    });

    it('apply -f a sample Template: created, then unchanged, then configured by a merge patch', async () => {
      const { name, doc } = template();
      const tname = doc.metadata.name as string;
      const p = join(TEMPLATE_DIR, name);
      expect(await run('apply', '-n', ns, '-f', p)).toMatchObject({ code: 0, stdout: `template.template.openshift.io/${tname} created\n` });
      expect(await run('apply', '-n', ns, '-f', p)).toMatchObject({ code: 0, stdout: `template.template.openshift.io/${tname} unchanged\n` });
      const [firstLabel] = Object.keys(doc.metadata.labels ?? {});
      const labels = { ...doc.metadata.labels, 'kctl.example.com/applied': 'again' };
      if (firstLabel) delete labels[firstLabel];
      const changed = file(`template-changed-${i}.yaml`, { ...doc, metadata: { ...doc.metadata, labels } });
      const r = await run('apply', '-n', ns, '-f', changed, '-v=6');
      expect(r.stdout).toBe(`template.template.openshift.io/${tname} configured\n`);
      expect(r.stderr, client.version).toContain(applyPatchLogged(client, `${sim.url}/apis/template.openshift.io/v1/namespaces/${ns}/templates/${tname}`));
      const stored = await custom().getNamespacedCustomObject({ group: 'template.openshift.io', version: 'v1', namespace: ns, plural: 'templates', name: tname }) as Record<string, any>;
      expect(stored.metadata.labels).toEqual(labels);
      const lastApplied = JSON.parse(stored.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']);
      expect(lastApplied.metadata.labels).toEqual(labels);
      expect(stored.objects).toEqual(doc.objects);
    });

    it('apply -f built-in kinds: strategic merge patches, list entries removed, quantities and RBAC updated', async () => {
      const objs = (finalizers: string[], pods: number, verbs: string[]) => [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: `${ns}-apply`, labels: { pods: String(pods) }, finalizers } },
        { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q', namespace: `${ns}-apply` }, spec: { hard: { pods: String(pods), 'requests.cpu': '2' } } },
        { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: `${ns}-role` }, rules: [{ apiGroups: [''], resources: ['namespaces'], verbs }] },
      ].map((o) => stringify(o)).join('---\n');
      const p = file(`builtins-${i}.yaml`, objs(['example.com/a', 'example.com/b'], 10, ['get']));
      const first = await run('apply', '-f', p);
      expect(first).toMatchObject({ code: 0, stdout: `namespace/${ns}-apply created\nresourcequota/q created\nclusterrole.rbac.authorization.k8s.io/${ns}-role created\n` });
      writeFileSync(p, objs(['example.com/b'], 11, ['get', 'list']));
      const second = await run('apply', '-f', p);
      expect(second.stdout).toBe(`namespace/${ns}-apply configured\nresourcequota/q configured\nclusterrole.rbac.authorization.k8s.io/${ns}-role configured\n`);
      const n = await core().readNamespace({ name: `${ns}-apply` });
      expect(n.metadata?.finalizers).toEqual(['example.com/b']);
      expect(n.metadata?.labels?.pods).toBe('11');
      expect((await core().readNamespacedResourceQuota({ namespace: `${ns}-apply`, name: 'q' })).spec?.hard).toEqual({ pods: '11', 'requests.cpu': '2' });
      const role = await sim.kubeConfig().makeApiClient(RbacAuthorizationV1Api).readClusterRole({ name: `${ns}-role` });
      expect(role.rules?.[0]?.verbs).toEqual(['get', 'list']);
      expect(await run('apply', '-f', p)).toMatchObject({ code: 0, stdout: expect.stringContaining(`namespace/${ns}-apply unchanged\n`) });
    });
  });
});

describe.skipIf(noKubectl || !found)('kubectl and a CRD changed at runtime', () => {
  let sim: Simulator;
  let dir: string;
  beforeAll(async () => {
    sim = await startSimulator({ tls: true });
    dir = mkdtempSync(join(tmpdir(), 'ssvirt-kubectl-crd-'));
  });
  afterAll(async () => { await sim?.stop(); });
  const run = (...args: string[]) => kubectl(found!, sim.kubeconfigPath, join(dir, 'cache'), args);
  let client: Client;
  beforeAll(async () => { client = await clientOf(found!, sim.kubeconfigPath, join(dir, 'cache')); });

  it('validates against the stored CRD\'s schema once it replaces the preinstalled one', async () => {
    // Before: DataSource.spec preserves unknown fields, so explain lists none.
    const before = await run('explain', 'datasources.spec');
    expect(before.code).toBe(0);
    expect(before.stdout).not.toContain('FIELDS:');
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'datasources.cdi.kubevirt.io' },
      spec: {
        group: 'cdi.kubevirt.io', scope: 'Namespaced', names: { plural: 'datasources', singular: 'datasource', kind: 'DataSource', listKind: 'DataSourceList' },
        versions: [{
          name: 'v1beta1', served: true, storage: true, subresources: { status: {} },
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' },
                spec: { type: 'object', properties: { source: { type: 'object', properties: { pvc: { type: 'object', properties: { name: { type: 'string' }, namespace: { type: 'string' } } } } } } },
                status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
              },
            },
          },
        }],
      },
    };
    const crdFile = join(dir, 'crd.yaml');
    writeFileSync(crdFile, stringify(crd));
    expect(await run('apply', '-f', crdFile)).toMatchObject({ code: 0, stdout: 'customresourcedefinition.apiextensions.k8s.io/datasources.cdi.kubevirt.io created\n' });
    // kubectl ≥1.27 caches the old v3 document under the old hash; the index's new hash makes it
    // fetch the new one (older clients read /openapi/v2 afresh on each run).
    const after = await run('explain', 'datasources.spec.source.pvc');
    expect(after.code).toBe(0);
    expect(after.stdout).toMatch(/FIELDS:\n\s+name\s+<string>[\s\S]*namespace\s+<string>/);
    const ds = (pvc: Record<string, string>, name: string) => {
      const p = join(dir, `${name}.yaml`);
      writeFileSync(p, stringify({ apiVersion: 'cdi.kubevirt.io/v1beta1', kind: 'DataSource', metadata: { name, namespace: 'default' }, spec: { source: { pvc } } }));
      return p;
    };
    const badFile = ds({ nme: 'disk', namespace: 'images' }, 'bad');
    const bad = await run('create', '-f', badFile);
    expect(bad.code, client.version).toBe(1);
    expect(bad.stderr, client.version).toContain(unknownCrField(client, badFile, {
      serverPath: 'spec.source.pvc.nme', at: 'DataSource.spec.source.pvc', field: 'nme', definition: 'io.kubevirt.cdi.v1beta1.DataSource.spec.source.pvc',
    }));
    expect(await run('create', '-f', ds({ name: 'disk', namespace: 'images' }, 'good'))).toMatchObject({ code: 0, stdout: 'datasource.cdi.kubevirt.io/good created\n' });
  });
});
