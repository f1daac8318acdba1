/**
 * The whole story of issue 4, through the real server process and nothing but HTTP: log in →
 * create an org and a VDC → the namespace, quota and policy exist with the right labels and values →
 * list the catalog items → instantiate with parameters → INSTANTIATING → the VM appears, the vApp
 * turns POWERED_OFF → power on / off / reboot / suspend / resume through tasks → delete the vApp (its
 * objects go) → delete the VDC (its namespace goes). A second test checks that a user of another
 * organization can neither see nor touch any of it (403) through the same process.
 *
 * The server is `tsx lib/server.ts` (the sources; test/readme.test.ts covers the production build)
 * with its own temporary database. The test reads the cluster with @kubernetes/client-node only to
 * check what the server wrote; it never changes what the server manages.
 *
 * Which cluster:
 * - default: the project's Kubernetes API simulator with the OpenShift template and KubeVirt
 *   controllers and the sample templates, all in this process (20–40 s on a busy 2-CPU machine,
 *   most of it starting the server under tsx);
 * - `SSVIRT_TEST_KUBECONFIG=<kubeconfig>`: that cluster, as it is, which must then be OpenShift with
 *   OpenShift Virtualization and the template `SSVIRT_TEST_TEMPLATE` (default `fedora-server-small`)
 *   in `openshift`; add `SSVIRT_TEST_CONTROLLERS=1` when it lacks them (a bare kube-apiserver): the
 *   CRDs are installed when missing, the sample templates loaded and the simulated controllers run
 *   here, as `npm run cluster -- --attach` does. (Opt-in, unlike the controller suites' opt-out
 *   `SSVIRT_TEST_CONTROLLERS=0`: simulated controllers beside OpenShift's own would fight over the
 *   same objects.) Names carry a random suffix, so a shared cluster is
 *   fine; everything created is deleted in afterAll. Waits are then up to 10 minutes per step.
 *
 * A third test is a tenant's: an Organization Administrator sees the samples but the deprecated
 * one, each with its OS, size and parameters, and instantiates one naming its own boot source
 * through DATA_SOURCE_NAME. It needs the sample templates and DataSources whose status the test
 * writes itself, so it is skipped on a cluster with OpenShift's own controllers (and CDI's).
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { mkdirSync, rmSync } from 'node:fs';
import { ApisApi, CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { startSimulator, type Simulator } from '#test/cluster/index.ts';
import { startControllers, type RunningControllers } from '#test/cluster/controllers/index.ts';
import { loadSampleTemplates, sampleTemplates, setDataSourceReady } from '#test/cluster/templates/index.ts';
import { installCrds } from '#test/cluster/crds/index.ts';
import { startServer, tempDir, waitReady, type ServerProcess } from '#test/support/server-process.ts';
import { until } from '#test/support/wait.ts';
import { serverIdentity, type ServerIdentity } from '#test/support/service-account.ts';
import { parseQuantity } from '#lib/k8s/quantity.ts';
import { ROOT } from '../scripts/build.ts';

const REAL_KUBECONFIG = process.env.SSVIRT_TEST_KUBECONFIG;
const RUN_CONTROLLERS = !REAL_KUBECONFIG || process.env.SSVIRT_TEST_CONTROLLERS === '1';
/** On the simulator the catalog is exactly the sample templates. */
const SAMPLES_ONLY = !REAL_KUBECONFIG;
const TEMPLATE = process.env.SSVIRT_TEST_TEMPLATE ?? 'fedora-server-small';
const TEMPLATE_NS = 'openshift';
/** How long one cluster-driven step may take: VMs boot in milliseconds here, in minutes on a real cluster. */
const WAIT_MS = REAL_KUBECONFIG ? 600_000 : 20_000;
const TEST_MS = REAL_KUBECONFIG ? 3_600_000 : 90_000;
const PASSWORD = 'story-admin-password';
const USER_PASSWORD = 'story-user-password';
const ACCEPT = 'application/json;version=39.0';
const SUFFIX = randomBytes(3).toString('hex');

/** Parameter kinds as a catalog item describes them: `NAME:generated`, `DATA_SOURCE_NAME:default`, … */
const paramKind = (p: { name: string; required: boolean; hasDefault: boolean; generated: boolean }) =>
  `${p.name}:${p.required ? 'required' : p.generated ? 'generated' : p.hasDefault ? 'default' : 'optional'}`;
const LINUX_PARAMS = ['NAME:generated', 'DATA_SOURCE_NAME:default', 'DATA_SOURCE_NAMESPACE:default', 'CLOUD_USER_PASSWORD:generated'];
/** Windows templates have no cloud-init, hence no password. */
const WINDOWS_PARAMS = LINUX_PARAMS.slice(0, 3);
/** The sample every tenant is refused: template.kubevirt.io/deprecated. */
const DEPRECATED_SAMPLE = 'centos6-server-small';
/** What a tenant's catalog says of each sample that is not deprecated (test/cluster/templates). */
const TENANT_ITEMS: Record<string, { osType: string; cpus: number; memoryGi: number; parameters: string[] }> = {
  // User-made: no OS labels (the VM's vm.kubevirt.io/os), 1 socket × 2 cores, a required NAME.
  'acme-web-server': { osType: 'rhel9', cpus: 2, memoryGi: 6, parameters: ['NAME:required'] },
  // v0.25.0 format: resources.requests.memory.
  'centos-stream9-server-medium': { osType: 'centos.stream9', cpus: 1, memoryGi: 4, parameters: LINUX_PARAMS },
  'centos-stream9-server-small': { osType: 'centos.stream9', cpus: 1, memoryGi: 2, parameters: LINUX_PARAMS },
  // No domain CPU or memory: the u1.medium instancetype's.
  'centos-stream9-u1-medium': { osType: 'centos.stream9', cpus: 1, memoryGi: 4, parameters: LINUX_PARAMS },
  // fedora39 is labelled "false" and sorts first.
  'fedora-server-medium': { osType: 'fedora40', cpus: 1, memoryGi: 4, parameters: LINUX_PARAMS },
  'fedora-server-small': { osType: 'fedora40', cpus: 1, memoryGi: 2, parameters: LINUX_PARAMS },
  // rhel9.0 … rhel9.6: the first in sorted order.
  'rhel9-server-large': { osType: 'rhel9.0', cpus: 2, memoryGi: 8, parameters: LINUX_PARAMS },
  'rhel9-server-medium': { osType: 'rhel9.0', cpus: 1, memoryGi: 4, parameters: LINUX_PARAMS },
  'rhel9-server-small': { osType: 'rhel9.0', cpus: 1, memoryGi: 2, parameters: LINUX_PARAMS },
  'windows2k22-server-large': { osType: 'win2k22', cpus: 2, memoryGi: 8, parameters: WINDOWS_PARAMS },
  'windows2k22-server-medium': { osType: 'win2k22', cpus: 1, memoryGi: 4, parameters: WINDOWS_PARAMS },
};

const URN = (type: string) => new RegExp(`^urn:vcloud:${type}:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`);
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const uuidOf = (urn: string) => urn.split(':').pop()!;

let server: ServerProcess;
let kc: KubeConfig;
let core: CoreV1Api;
let custom: CustomObjectsApi;
let data: string;
let stopCluster: () => Promise<void> = async () => {};
let adminToken: string;
let identity: ServerIdentity;
/** The in-process simulator (default), for fault injection; undefined with SSVIRT_TEST_KUBECONFIG. */
let simulator: Simulator | undefined;
/** Orgs to force-delete afterwards (the story deletes its own; a failure leaves them here). */
const orgsToClean = new Set<string>();

interface Answer { status: number; headers: Headers; body: any }

/** One request to the server under test; JSON in and out. */
async function call(method: string, path: string, opts: { token?: string; body?: unknown; basic?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  const headers: Record<string, string> = { Accept: ACCEPT, ...opts.headers };
  if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
  if (opts.basic) headers.Authorization = `Basic ${Buffer.from(opts.basic).toString('base64')}`;
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(new URL(path, server.url), { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
  const text = await res.text();
  let body: any = text;
  if ((res.headers.get('content-type') ?? '').includes('json') && text) body = JSON.parse(text);
  return { status: res.status, headers: res.headers, body };
}

/** `call`, failing with the answer's body when the status is not `expected`. */
async function expectCall(expected: number, method: string, path: string, opts: Parameters<typeof call>[2] = {}): Promise<Answer> {
  const a = await call(method, path, opts);
  expect(a.status, `${method} ${path}: ${JSON.stringify(a.body)}`).toBe(expected);
  return a;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polling for `until`: a real cluster is slow and shared, so poll it gently. */
const POLL = { timeoutMs: WAIT_MS, intervalMs: REAL_KUBECONFIG ? 1000 : 50 };

/** Logs in and returns the token, checking the headers VCD clients read. */
async function login(user: string, password: string, provider = false): Promise<string> {
  const a = await expectCall(200, 'POST', `/cloudapi/1.0.0/sessions${provider ? '/provider' : ''}`, { basic: `${user}:${password}` });
  const token = a.headers.get('x-vmware-vcloud-access-token')!;
  expect(token.length).toBeGreaterThanOrEqual(43);
  expect(a.headers.get('authorization')).toBe(`Bearer ${token}`);
  expect(a.headers.get('x-vmware-vcloud-token-type')).toBe('Bearer');
  return token;
}

/** The 404-or-object of a cluster read. */
async function read<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (e) {
    if ((e as { code?: number }).code === 404) return undefined;
    throw e;
  }
}
const kv = (plural: string, namespace: string) => ({ group: 'kubevirt.io', version: 'v1', plural, namespace });
const ti = (namespace: string) => ({ group: 'template.openshift.io', version: 'v1', plural: 'templateinstances', namespace });

/**
 * Waits for a task through the address a client gets (`Location`, `/api/task/<uuid>` with a JSON
 * Accept) until it ends; returns it. The same task must read the same under CloudAPI.
 */
async function awaitTask(location: string, token: string): Promise<any> {
  const path = new URL(location).pathname;
  expect(path).toMatch(/^\/api\/task\/[0-9a-f-]{36}$/);
  const task = await until(`task ${path} to end`, async () => {
    const t = (await expectCall(200, 'GET', path, { token })).body;
    return t.status === 'running' ? undefined : t;
  }, POLL);
  expect((await expectCall(200, 'GET', `/cloudapi/1.0.0/tasks/${encodeURIComponent(task.id)}`, { token })).body).toEqual(task);
  return task;
}

/** A power action on a vApp or VM: 202 with a running Task and its Location; waits for success. */
async function power(kind: 'vapps' | 'vms', urn: string, action: string, token: string, owner: { name: string }, user: string, org: { id: string; name: string }): Promise<any> {
  const a = await expectCall(202, 'POST', `/cloudapi/1.0.0/${kind}/${encodeURIComponent(urn)}/actions/${action}`, { token });
  const location = a.headers.get('location')!;
  const type = kind === 'vapps' ? 'vapp' : 'vm';
  // Normally still running; a VM quicker than the answer may already have ended it.
  expect(['running', 'success'], JSON.stringify(a.body)).toContain(a.body.status);
  expect(a.body).toMatchObject({
    id: expect.stringMatching(URN('task')), href: location, name: 'task',
    operationName: `${type}${action[0]!.toUpperCase()}${action.slice(1)}`, operation: expect.stringContaining(owner.name),
    startTime: expect.stringMatching(ISO),
    owner: { id: urn, name: owner.name }, user: { name: user }, organization: { id: org.id, name: org.name },
  });
  expect(a.body.href).toBe(`${server.url}/api/task/${uuidOf(a.body.id)}`);
  const task = await awaitTask(location, token);
  expect(task, JSON.stringify(task)).toMatchObject({ id: a.body.id, status: 'success', endTime: expect.stringMatching(ISO) });
  expect(task.error).toBeUndefined();
  return task;
}

beforeAll(async () => {
  data = tempDir('story');
  let kubeconfigPath: string;
  if (REAL_KUBECONFIG) {
    kubeconfigPath = REAL_KUBECONFIG;
    kc = new KubeConfig();
    kc.loadFromFile(kubeconfigPath);
    if (!RUN_CONTROLLERS) {
      const groups = (await kc.makeApiClient(ApisApi).getAPIVersions()).groups.map((g) => g.name);
      const missing = ['template.openshift.io', 'kubevirt.io'].filter((g) => !groups.includes(g));
      if (missing.length) throw new Error(`the cluster of SSVIRT_TEST_KUBECONFIG does not serve ${missing.join(', ')}: set SSVIRT_TEST_CONTROLLERS=1 to install the CRDs and run the simulated controllers`);
      const template = await read(kc.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({ group: 'template.openshift.io', version: 'v1', plural: 'templates', namespace: TEMPLATE_NS, name: TEMPLATE }));
      if (!template) throw new Error(`the cluster of SSVIRT_TEST_KUBECONFIG has no template ${TEMPLATE_NS}/${TEMPLATE}: name one with SSVIRT_TEST_TEMPLATE, or set SSVIRT_TEST_CONTROLLERS=1 to load the sample templates and run the simulated controllers`);
    } else {
      await installCrds(kc);
      await loadSampleTemplates(kc, TEMPLATE_NS);
      const controllers = await startControllers(kc, { stepDelayMs: 10 });
      stopCluster = () => controllers.stop();
    }
  } else {
    mkdirSync(join(data, 'cluster'));
    const sim = await startSimulator({ tls: true, dir: join(data, 'cluster'), namespaceFinalizeDelayMs: 100, gcDelayMs: 20, templateInstanceAdmission: true });
    simulator = sim;
    kc = sim.kubeConfig();
    kubeconfigPath = sim.kubeconfigPath;
    let controllers: RunningControllers | undefined;
    try {
      await loadSampleTemplates(kc, TEMPLATE_NS);
      controllers = await startControllers(kc, { stepDelayMs: 10, requireRequester: true });
    } finally {
      stopCluster = async () => { await controllers?.stop(); await sim.stop(); };
    }
  }
  core = kc.makeApiClient(CoreV1Api);
  custom = kc.makeApiClient(CustomObjectsApi);
  // The server runs as its ServiceAccount with exactly the manifests' ClusterRole, as installed;
  // `kc` (admin) is only for the test's own checks.
  identity = await serverIdentity(kc, data);
  const removeIdentity = identity;
  const stopControllers = stopCluster;
  stopCluster = async () => { await removeIdentity.remove().catch(() => {}); await stopControllers(); };
  server = await startServer({
    command: [process.execPath, join(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'lib/server.ts'],
    env: { SSVIRT_DB_PATH: join(data, 'ssvirt.db'), SSVIRT_KUBECONFIG: identity.kubeconfigPath, SSVIRT_ADMIN_PASSWORD: PASSWORD, SSVIRT_LOGIN_DELAY_MS: '0' },
  });
  await waitReady(server, 60_000, 50);
  adminToken = await login('admin@System', PASSWORD, true);
}, 180_000);

afterAll(async () => {
  // Through the API first (Kubernetes first, then the rows), while the controllers still run to
  // release the TemplateInstance finalizers; then whatever namespace of ours is left, directly.
  const ids = [...orgsToClean];
  if (server && adminToken) {
    for (const id of ids) await call('DELETE', `/cloudapi/1.0.0/orgs/${encodeURIComponent(id)}?force=true`, { token: adminToken }).catch(() => {});
  }
  if (core) {
    for (const id of ids) {
      const left = await core.listNamespace({ labelSelector: `ssvirt.io/organization-id=${uuidOf(id)}` }).catch(() => undefined);
      for (const ns of left?.items ?? []) await core.deleteNamespace({ name: ns.metadata!.name! }).catch(() => {});
    }
    const deadline = Date.now() + (REAL_KUBECONFIG ? 300_000 : 10_000);
    for (const id of ids) {
      while (Date.now() < deadline) {
        const left = await core.listNamespace({ labelSelector: `ssvirt.io/organization-id=${uuidOf(id)}` }).catch(() => undefined);
        if (!left?.items.length) break;
        await sleep(200);
      }
    }
  }
  await server?.stop(5_000);
  await stopCluster();
  if (data) rmSync(data, { recursive: true, force: true });
}, REAL_KUBECONFIG ? 600_000 : 60_000);

describe(`The story through the real server process (${REAL_KUBECONFIG ? `SSVIRT_TEST_KUBECONFIG ${REAL_KUBECONFIG}${RUN_CONTROLLERS ? ' with the simulated controllers' : ''}` : 'simulator'})`, () => {
  it('logs in, creates an org and a VDC, instantiates a template, powers the vApp through tasks and deletes it all', async () => {
    const token = adminToken;
    const session = (await expectCall(200, 'GET', '/cloudapi/1.0.0/sessions/current', { token })).body;
    expect(session).toMatchObject({ id: expect.stringMatching(URN('session')), user: { name: 'admin' }, org: { name: 'Provider' }, roles: ['System Administrator'] });

    // --- Organization
    const orgName = `story-${SUFFIX}`;
    const orgA = await expectCall(201, 'POST', '/cloudapi/1.0.0/orgs', { token, body: { name: orgName, displayName: `Story Corp ${SUFFIX}` } });
    const org = orgA.body;
    orgsToClean.add(org.id);
    expect(org).toMatchObject({ id: expect.stringMatching(URN('org')), name: orgName, displayName: `Story Corp ${SUFFIX}`, isEnabled: true, orgVdcCount: 0 });
    const orgRef = { id: org.id, name: orgName };

    // --- VDC: the namespace, its quota and its policy exist when the 201 comes
    const vdcName = `Dev Team ${SUFFIX}`;
    const vdcBody = {
      name: vdcName, description: 'The story\'s VDC',
      computeCapacity: { cpu: { limit: 2500, units: 'MHz' }, memory: { limit: 6, units: 'GB' } },
      vdcStorageProfiles: [{ name: 'standard', limit: 51200, default: true }, { name: 'fast', limit: 10240 }],
      vmQuota: 3,
    };
    const vdcA = await expectCall(201, 'POST', `/api/admin/org/${encodeURIComponent(org.id)}/vdcs`, { token, body: vdcBody });
    const vdc = vdcA.body;
    const namespace = `vdc-story-${SUFFIX}-dev-team-${SUFFIX}`;
    expect(vdc).toMatchObject({
      id: expect.stringMatching(URN('vdc')), name: vdcName, description: 'The story\'s VDC', org: orgRef, status: 'READY', namespace,
      allocationModel: 'AllocationVApp', allocationType: 'ALLOCATION_VAPP', isEnabled: true, vmQuota: 3,
      computeCapacity: { cpu: { limit: 2500, units: 'MHz' }, memory: { limit: 6, units: 'GB' } },
      vdcStorageProfiles: [{ name: 'standard', limit: 51200, default: true, units: 'MB' }, { name: 'fast', limit: 10240, units: 'MB' }],
      createdDate: expect.stringMatching(ISO), lastModifiedDate: expect.stringMatching(ISO),
    });
    expect(vdcA.headers.get('location')).toMatch(new RegExp(`${encodeURIComponent(vdc.id)}$|${vdc.id}$`));
    const vdcRef = { id: vdc.id, name: vdcName };
    const vdcPath = `/cloudapi/1.0.0/vdcs/${encodeURIComponent(vdc.id)}`;
    expect((await expectCall(200, 'GET', vdcPath, { token })).body).toMatchObject({ id: vdc.id, status: 'READY', namespace });

    const ns = await core.readNamespace({ name: namespace });
    expect(ns.metadata!.labels).toMatchObject({
      'app.kubernetes.io/managed-by': 'ssvirt', 'app.kubernetes.io/component': 'vdc',
      'ssvirt.io/organization': orgName, 'ssvirt.io/organization-id': uuidOf(org.id),
      'ssvirt.io/vdc': `Dev-Team-${SUFFIX}`, 'ssvirt.io/vdc-id': uuidOf(vdc.id),
    });
    expect(ns.metadata!.annotations).toMatchObject({
      'ssvirt.io/organization-urn': org.id, 'ssvirt.io/organization-display-name': `Story Corp ${SUFFIX}`,
      'ssvirt.io/vdc-urn': vdc.id, 'ssvirt.io/vdc-name': vdcName, 'ssvirt.io/vdc-description': 'The story\'s VDC', 'ssvirt.io/vdc-enabled': 'true',
    });
    const quota = await core.readNamespacedResourceQuota({ name: 'vdc-quota', namespace });
    expect(quota.metadata!.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'ssvirt', 'ssvirt.io/vdc-id': uuidOf(vdc.id) });
    // Compared as quantities: a real API server answers them in canonical form (6144Mi → 6Gi).
    const hard = Object.fromEntries(Object.entries(quota.spec!.hard ?? {}).map(([k, q]) => [k, parseQuantity(q)]));
    expect(hard).toEqual({
      'requests.cpu': 2.5, // 2500 MHz at 1000 MHz per core
      'requests.memory': 6 * 2 ** 30, // VCD's GB are GiB
      'requests.storage': 61440 * 2 ** 20, // the profiles' MB (MiB) summed
      'count/virtualmachines.kubevirt.io': 3,
    });
    // Read as plain JSON (the typed client renames `from`).
    const policy = await custom.getNamespacedCustomObject({ group: 'networking.k8s.io', version: 'v1', plural: 'networkpolicies', namespace, name: 'vdc-isolation' }) as any;
    expect(policy.metadata.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'ssvirt', 'ssvirt.io/vdc-id': uuidOf(vdc.id) });
    expect(policy.spec.podSelector).toEqual({});
    expect(policy.spec.policyTypes).toEqual(['Ingress']);
    expect(policy.spec.ingress).toEqual([{ from: [
      { podSelector: {} },
      { namespaceSelector: { matchLabels: { 'policy-group.network.openshift.io/ingress': '' } } },
    ] }]);
    expect(policy.spec.egress ?? []).toEqual([]);

    // --- Catalog items: the cluster's VM templates
    const catalog = (await expectCall(201, 'POST', '/cloudapi/1.0.0/catalogs', { token, body: { name: `templates-${SUFFIX}`, orgId: org.id } })).body;
    expect(catalog).toMatchObject({ id: expect.stringMatching(URN('catalog')), name: `templates-${SUFFIX}`, org: orgRef, isPublished: false });
    const itemsPath = `/cloudapi/1.0.0/catalogs/${encodeURIComponent(catalog.id)}/catalogItems`;
    const items = (await expectCall(200, 'GET', `${itemsPath}?pageSize=128`, { token })).body;
    expect(items).toMatchObject({ page: 1, pageSize: 128, pageCount: Math.ceil(items.resultTotal / 128) });
    expect(items.values).toHaveLength(items.resultTotal);
    const names = items.values.map((i: { name: string }) => i.name);
    const samples = sampleTemplates().map((t) => t.metadata!.name!).sort();
    if (SAMPLES_ONLY) expect(names).toEqual(samples);
    else if (RUN_CONTROLLERS) expect(names).toEqual(expect.arrayContaining(samples));
    expect(names).toContain(TEMPLATE);
    const found = (await expectCall(200, 'GET', `${itemsPath}?filter=${encodeURIComponent(`name==${TEMPLATE}`)}`, { token })).body;
    expect(found.resultTotal).toBe(1);
    const item = found.values[0];
    // The item against the Template it comes from, read from the cluster.
    const template = await custom.getNamespacedCustomObject({ group: 'template.openshift.io', version: 'v1', plural: 'templates', namespace: TEMPLATE_NS, name: TEMPLATE }) as any;
    const vmObjects = template.objects.filter((o: any) => o.kind === 'VirtualMachine');
    const domain = vmObjects[0].spec.template.spec.domain;
    const cpu = domain.cpu ?? {};
    // Templates carry several OS labels, some "false": the first set to "true" in sorted order.
    const labels: Record<string, string> = template.metadata.labels ?? {};
    const osLabel = Object.keys(labels).sort().find((k) => k.startsWith('os.template.kubevirt.io/') && labels[k] === 'true');
    expect(item).toMatchObject({
      id: expect.stringMatching(URN('catalogitem')), name: TEMPLATE, catalogId: catalog.id, catalog: { id: catalog.id }, org: orgRef,
      status: 'AVAILABLE', displayName: template.metadata.annotations?.['openshift.io/display-name'],
      template: { namespace: TEMPLATE_NS, name: TEMPLATE },
      entity: { numberOfVMs: vmObjects.length, numberOfCpus: (cpu.sockets ?? 1) * (cpu.cores ?? 1) * (cpu.threads ?? 1) },
    });
    if (osLabel) expect(item.osType).toBe(osLabel.split('/')[1]);
    const memory = domain.memory?.guest ?? domain.resources?.requests?.memory;
    if (memory && !memory.includes('${')) expect(item.entity.memoryAllocation).toBe(parseQuantity(memory));
    expect(item.parameters.map((p: { name: string }) => p.name)).toEqual(template.parameters.map((p: { name: string }) => p.name));
    expect((await expectCall(200, 'GET', `${itemsPath}/${encodeURIComponent(item.id)}`, { token })).body).toEqual(item);

    // --- Instantiate with parameters: 201 INSTANTIATING, the Secret and the TemplateInstance exist
    const vappName = `Web Shop ${SUFFIX}`;
    const vmName = `web-${SUFFIX}-1`;
    const secretValue = `pw-${randomBytes(6).toString('hex')}`;
    const parameters: Record<string, string> = { NAME: vmName };
    if (item.parameters.some((p: { name: string }) => p.name === 'CLOUD_USER_PASSWORD')) parameters.CLOUD_USER_PASSWORD = secretValue;
    const inst = await expectCall(201, 'POST', `${vdcPath}/actions/instantiateTemplate`, {
      token, body: { name: vappName, description: 'the shop', catalogItem: { id: item.id }, parameters },
    });
    const vapp = inst.body;
    expect(vapp).toMatchObject({
      id: expect.stringMatching(URN('vapp')), name: vappName, description: 'the shop', status: 'INSTANTIATING',
      vdcId: vdc.id, vdc: vdcRef, org: orgRef, owner: { name: 'admin' }, catalogItem: { id: item.id },
      template: { namespace: TEMPLATE_NS, name: TEMPLATE }, numberOfVMs: 0, vms: [],
      createdAt: expect.stringMatching(ISO), createdDate: expect.stringMatching(ISO),
    });
    expect(inst.headers.get('location')).toBe(vapp.href);
    expect(vapp.href).toBe(`${server.url}/cloudapi/1.0.0/vapps/${vapp.id}`);
    expect(JSON.stringify(vapp)).not.toContain(secretValue);
    const vappRef = { id: vapp.id, name: vappName };
    const vappPath = `/cloudapi/1.0.0/vapps/${encodeURIComponent(vapp.id)}`;

    const instanceName = `web-shop-${SUFFIX}`;
    const instance = await custom.getNamespacedCustomObject({ ...ti(namespace), name: instanceName }) as any;
    expect(instance.metadata.labels).toMatchObject({
      'app.kubernetes.io/managed-by': 'ssvirt', 'ssvirt.io/vapp-id': uuidOf(vapp.id), 'ssvirt.io/vdc-id': uuidOf(vdc.id), 'ssvirt.io/template': TEMPLATE,
    });
    expect(instance.metadata.annotations).toMatchObject({ 'ssvirt.io/vapp-urn': vapp.id, 'ssvirt.io/vapp-name': vappName, 'ssvirt.io/template-namespace': TEMPLATE_NS });
    expect(instance.spec.secret).toEqual({ name: `${instanceName}-params` });
    expect(instance.spec.template.metadata.name).toBe(TEMPLATE);
    expect(instance.spec.template.objects).toEqual(template.objects);
    const secret = await core.readNamespacedSecret({ name: `${instanceName}-params`, namespace });
    expect(secret.metadata!.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'ssvirt', 'ssvirt.io/vapp-id': uuidOf(vapp.id) });
    expect(Object.fromEntries(Object.entries(secret.data ?? {}).map(([k, b]) => [k, Buffer.from(b, 'base64').toString('utf8')]))).toEqual(parameters);
    expect(secret.metadata!.ownerReferences).toEqual([
      expect.objectContaining({ apiVersion: 'template.openshift.io/v1', kind: 'TemplateInstance', name: instanceName, uid: instance.metadata.uid }),
    ]);

    // --- The VM appears, the vApp becomes POWERED_OFF
    const seen: string[] = ['INSTANTIATING'];
    const ready = await until('the vApp to be POWERED_OFF', async () => {
      const v = (await expectCall(200, 'GET', vappPath, { token })).body;
      if (seen.at(-1) !== v.status) seen.push(v.status);
      return v.status === 'POWERED_OFF' ? v : undefined;
    }, POLL);
    expect(seen, seen.join(' → ')).not.toContain('FAILED');
    expect(ready).toMatchObject({ numberOfVMs: 1, statusMessage: null });
    const vmList = (await expectCall(200, 'GET', `${vappPath}/vms`, { token })).body;
    expect(vmList).toMatchObject({ resultTotal: 1, pageCount: 1, page: 1 });
    const vm = vmList.values[0];
    expect(vm).toMatchObject({
      id: expect.stringMatching(URN('vm')), name: vmName, status: 'POWERED_OFF', vappId: vapp.id, vapp: vappRef, vdcId: vdc.id, vdc: vdcRef, org: orgRef,
      hardware: { numCpus: item.entity.numberOfCpus }, kubernetes: { namespace, name: vmName, printableStatus: 'Stopped' },
    });
    expect(vm.href).toBe(`${server.url}/cloudapi/1.0.0/vms/${vm.id}`);
    expect(ready.vms).toEqual([vm]);
    const vmPath = `/cloudapi/1.0.0/vms/${encodeURIComponent(vm.id)}`;
    expect((await expectCall(200, 'GET', vmPath, { token })).body).toEqual(vm);
    const filtered = (await expectCall(200, 'GET', `/cloudapi/1.0.0/vms?filter=${encodeURIComponent(`vapp.id==${vapp.id}`)}`, { token })).body;
    expect(filtered.values.map((v: { id: string }) => v.id)).toEqual([vm.id]);
    // In the cluster: the VM is the template's, owned (by label) by the vApp's instance.
    const vmObject = await custom.getNamespacedCustomObject({ ...kv('virtualmachines', namespace), name: vmName }) as any;
    expect(vmObject.metadata.uid).toBe(vm.kubernetes.uid);
    expect(vmObject.metadata.labels).toMatchObject({ 'template.openshift.io/template-instance-owner': instance.metadata.uid });
    const readyInstance = await custom.getNamespacedCustomObject({ ...ti(namespace), name: instanceName }) as any;
    expect(readyInstance.status.conditions).toContainEqual(expect.objectContaining({ type: 'Ready', status: 'True' }));

    // --- Power actions, each through a task that ends in success
    const vappStatus = async () => (await expectCall(200, 'GET', vappPath, { token })).body.status;
    const vmNow = async () => (await expectCall(200, 'GET', vmPath, { token })).body;
    const vmi = () => read(custom.getNamespacedCustomObject({ ...kv('virtualmachineinstances', namespace), name: vmName }) as Promise<any>);
    const admin = 'admin';

    await power('vapps', vapp.id, 'powerOn', token, vappRef, admin, orgRef);
    expect(await vappStatus()).toBe('POWERED_ON');
    expect(await vmNow()).toMatchObject({ status: 'POWERED_ON', kubernetes: { printableStatus: 'Running' } });
    // The address comes from the VMI's status, which may be reported after the VM runs.
    const ip = await until('the VM to report an IP address', async () => (await vmNow()).network.interfaces[0]?.ipAddress, POLL);
    expect(ip).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    const firstVmi = await vmi();
    expect(firstVmi?.status?.phase).toBe('Running');

    await power('vms', vm.id, 'powerOff', token, { name: vmName }, admin, orgRef);
    expect(await vappStatus()).toBe('POWERED_OFF');
    expect(await vmNow()).toMatchObject({ status: 'POWERED_OFF', kubernetes: { printableStatus: 'Stopped' } });
    // An action that does not fit the status is refused, with the status named.
    const refused = await expectCall(400, 'POST', `${vmPath}/actions/powerOff`, { token });
    expect(refused.body).toMatchObject({ minorErrorCode: 'BAD_REQUEST', code: 400, stackTrace: null, message: expect.stringContaining('POWERED_OFF') });

    await power('vapps', vapp.id, 'powerOn', token, vappRef, admin, orgRef);
    expect(await vappStatus()).toBe('POWERED_ON');
    const beforeReboot = await vmi();
    expect(beforeReboot?.metadata?.uid).toBeTruthy();

    await power('vapps', vapp.id, 'reboot', token, vappRef, admin, orgRef);
    expect(await vappStatus()).toBe('POWERED_ON');
    const afterReboot = await vmi();
    // A reboot is a new VirtualMachineInstance.
    expect(afterReboot?.metadata?.uid).toBeTruthy();
    expect(afterReboot!.metadata.uid).not.toBe(beforeReboot!.metadata.uid);

    await power('vms', vm.id, 'suspend', token, { name: vmName }, admin, orgRef);
    expect(await vappStatus()).toBe('SUSPENDED');
    expect(await vmNow()).toMatchObject({ status: 'SUSPENDED', kubernetes: { printableStatus: 'Paused' } });
    expect((await expectCall(400, 'POST', `${vappPath}/actions/suspend`, { token })).body.message).toContain('SUSPENDED');

    const resumed = await power('vapps', vapp.id, 'powerOn', token, vappRef, admin, orgRef);
    expect(await vappStatus()).toBe('POWERED_ON');
    // The legacy address answers VCD's Task XML by default.
    const xml = await fetch(`${server.url}/api/task/${uuidOf(resumed.id)}`, { headers: { Authorization: `Bearer ${token}` } });
    expect(xml.headers.get('content-type')).toMatch(/^application\/vnd\.vmware\.vcloud\.task\+xml/);
    const xmlText = await xml.text();
    expect(xmlText).toContain(`status="success"`);
    expect(xmlText).toContain(`operationName="vappPowerOn"`);

    // --- Delete the vApp: refused while on, forced it stops the VM and removes every object
    const busy = await expectCall(400, 'DELETE', vappPath, { token });
    expect(busy.body).toMatchObject({ minorErrorCode: 'BUSY_ENTITY' });
    const del = await expectCall(202, 'DELETE', `${vappPath}?force=true`, { token });
    expect(del.body).toMatchObject({ id: vapp.id, status: 'DELETING' });
    const delTask = await awaitTask(del.headers.get('location')!, token);
    expect(delTask).toMatchObject({ status: 'success', operationName: 'vappDelete', owner: { id: vapp.id } });
    const gone = await expectCall(403, 'GET', vappPath, { token });
    expect(gone.body).toMatchObject({ minorErrorCode: 'ACCESS_TO_RESOURCE_IS_FORBIDDEN', message: `vApp ${vapp.id} does not exist or you do not have access` });
    await expectCall(403, 'GET', vmPath, { token });
    expect((await expectCall(200, 'GET', `${vdcPath}/vapps`, { token })).body).toMatchObject({ resultTotal: 0, values: [] });
    expect(await read(custom.getNamespacedCustomObject({ ...ti(namespace), name: instanceName }))).toBeUndefined();
    expect(await read(core.readNamespacedSecret({ name: `${instanceName}-params`, namespace }))).toBeUndefined();
    const vmsLeft = await custom.listNamespacedCustomObject({ ...kv('virtualmachines', namespace), labelSelector: `template.openshift.io/template-instance-owner=${instance.metadata.uid}` }) as any;
    expect(vmsLeft.items).toEqual([]);
    expect(await read(core.readNamespace({ name: namespace }))).toBeDefined();

    // --- Delete the VDC: DELETING until its namespace is gone, then 403
    const vdcDel = await call('DELETE', `/api/admin/org/${encodeURIComponent(org.id)}/vdcs/${encodeURIComponent(vdc.id)}`, { token });
    expect([202, 204], JSON.stringify(vdcDel.body)).toContain(vdcDel.status);
    if (vdcDel.status === 202) expect(vdcDel.body).toMatchObject({ id: vdc.id, status: 'DELETING' });
    await until('the VDC to disappear', async () => (await call('GET', vdcPath, { token })).status === 403, POLL);
    expect(await read(core.readNamespace({ name: namespace }))).toBeUndefined();

    // --- And the rest
    await expectCall(204, 'DELETE', `/cloudapi/1.0.0/catalogs/${encodeURIComponent(catalog.id)}`, { token });
    await expectCall(204, 'DELETE', `/cloudapi/1.0.0/orgs/${encodeURIComponent(org.id)}`, { token });
    orgsToClean.delete(org.id);
    await expectCall(403, 'GET', `/cloudapi/1.0.0/orgs/${encodeURIComponent(org.id)}`, { token });
    expect(server.output.filter((l) => l.includes('"level":50'))).toEqual([]);
  }, TEST_MS);

  it.skipIf(REAL_KUBECONFIG !== undefined && !RUN_CONTROLLERS)('shows a tenant Organization Administrator the samples but the deprecated one, and instantiates one from a boot source named by DATA_SOURCE_NAME', async () => {
    const token = adminToken;
    const orgName = `tenant-${SUFFIX}`;
    const org = (await expectCall(201, 'POST', '/cloudapi/1.0.0/orgs', { token, body: { name: orgName } })).body;
    orgsToClean.add(org.id);
    const orgRef = { id: org.id, name: orgName };
    const olgaName = `olga-${SUFFIX}`;
    await expectCall(201, 'POST', '/cloudapi/1.0.0/users', {
      token, body: { username: olgaName, password: USER_PASSWORD, orgEntityRef: { id: org.id }, roleEntityRefs: [{ name: 'Organization Administrator' }] },
    });
    const vdc = (await expectCall(201, 'POST', `/api/admin/org/${encodeURIComponent(org.id)}/vdcs`, { token, body: { name: 'apps' } })).body;
    const catalog = (await expectCall(201, 'POST', '/cloudapi/1.0.0/catalogs', { token, body: { name: 'golden', orgId: org.id } })).body;
    const olga = await login(`${olgaName}@${orgName}`, USER_PASSWORD);

    // --- The catalog as the tenant sees it: every sample but the deprecated one, the hidden tag hiding nothing
    const visible = sampleTemplates().filter((t) => t.metadata!.annotations?.['template.kubevirt.io/deprecated'] !== 'true').map((t) => t.metadata!.name!).sort();
    expect(Object.keys(TENANT_ITEMS).sort()).toEqual(visible);
    const items = (await expectCall(200, 'GET', `/cloudapi/1.0.0/catalogs/${encodeURIComponent(catalog.id)}/catalogItems?pageSize=128`, { token: olga })).body.values as any[];
    const byName = new Map(items.map((i) => [i.name as string, i]));
    expect(byName.has(DEPRECATED_SAMPLE)).toBe(false);
    if (SAMPLES_ONLY) expect([...byName.keys()]).toEqual(visible);
    for (const [name, want] of Object.entries(TENANT_ITEMS)) {
      const item = byName.get(name);
      expect(item, name).toMatchObject({ status: 'AVAILABLE', osType: want.osType, os_type: want.osType, entity: { numberOfVMs: 1, numberOfCpus: want.cpus, memoryAllocation: want.memoryGi * 2 ** 30 } });
      expect(item.parameters.map(paramKind), name).toEqual(want.parameters);
    }
    expect(byName.get('fedora-server-small')).toMatchObject({ hidden: true, tags: expect.arrayContaining(['hidden']) });

    // --- A boot source of the tenant's own, in the golden-images namespace, named through DATA_SOURCE_NAME
    const templateName = 'centos-stream9-server-small';
    const item = byName.get(templateName);
    const bootSource = { namespace: 'openshift-virtualization-os-images', name: `story-centos-${SUFFIX}` };
    const datasources = { group: 'cdi.kubevirt.io', version: 'v1beta1', plural: 'datasources', namespace: bootSource.namespace };
    await custom.createNamespacedCustomObject({ ...datasources, body: {
      apiVersion: 'cdi.kubevirt.io/v1beta1', kind: 'DataSource', metadata: { name: bootSource.name },
      spec: { source: { pvc: { name: 'centos-stream9-golden', namespace: bootSource.namespace } } },
    } });
    try {
      const vdcPath = `/cloudapi/1.0.0/vdcs/${encodeURIComponent(vdc.id)}`;
      const vappName = `Shop ${SUFFIX}`;
      const instanceName = `shop-${SUFFIX}`;
      const vmName = `shop-${SUFFIX}-vm`;
      const body = { name: vappName, catalogItem: { id: item.id }, parameters: { NAME: vmName, DATA_SOURCE_NAME: bootSource.name } };
      // Not imported yet (no Ready condition): refused, naming it.
      const refused = await expectCall(400, 'POST', `${vdcPath}/actions/instantiateTemplate`, { token: olga, body });
      expect(refused.body.message).toContain(`boot source DataSource ${bootSource.namespace}/${bootSource.name}`);

      // On the simulator the VM's create is held for a moment, in which the boot source goes back
      // to not Ready: its disk then waits, and the VM stays Provisioning until it is Ready again.
      simulator?.faults.inject({ verb: 'create', resource: 'virtualmachines', namespace: vdc.namespace, latencyMs: 3_000, times: 1 });
      await setDataSourceReady(kc, bootSource, true);
      const inst = await until('the server to see the boot source Ready', async () => {
        const a = await call('POST', `${vdcPath}/actions/instantiateTemplate`, { token: olga, body });
        return a.status === 400 && String(a.body.message).includes('boot source') ? undefined : a;
      }, POLL);
      expect(inst.status, JSON.stringify(inst.body)).toBe(201);
      if (simulator) await setDataSourceReady(kc, bootSource, false);
      const vapp = inst.body;
      expect(vapp).toMatchObject({ status: 'INSTANTIATING', owner: { name: olgaName }, org: orgRef, template: { namespace: TEMPLATE_NS, name: templateName } });
      const vappPath = `/cloudapi/1.0.0/vapps/${encodeURIComponent(vapp.id)}`;

      const instance = await custom.getNamespacedCustomObject({ ...ti(vdc.namespace), name: instanceName }) as any;
      // OpenShift's admission fills the requester from the caller: the server's ServiceAccount,
      // never the tenant (a bare API server with the simulated controllers fills nothing).
      if (simulator) {
        expect(identity.username).toBe(`system:serviceaccount:${identity.namespace}:${identity.serviceAccount}`);
        expect(instance.spec.requester).toMatchObject({ username: identity.username });
      }
      const secret = await core.readNamespacedSecret({ name: `${instanceName}-params`, namespace: vdc.namespace });
      expect(Buffer.from(secret.data!.DATA_SOURCE_NAME!, 'base64').toString()).toBe(bootSource.name);

      if (simulator) {
        const provisioning = await until('the VM to be Provisioning in the vApp', async () => {
          const v = (await expectCall(200, 'GET', vappPath, { token: olga })).body;
          return v.vms[0]?.kubernetes?.printableStatus === 'Provisioning' ? v : undefined;
        }, POLL);
        // Its disk is being provisioned: the vApp is still being instantiated, not powering on.
        expect(provisioning).toMatchObject({ status: 'INSTANTIATING', numberOfVMs: 1 });
        expect(provisioning.vms[0]).toMatchObject({ name: vmName, status: 'POWERING_ON' });
        await setDataSourceReady(kc, bootSource, true);
      }
      // From here (a VM created without a status yet could read POWERED_OFF for an instant before).
      const seen: string[] = [];
      const off = await until('the vApp to be POWERED_OFF', async () => {
        const v = (await expectCall(200, 'GET', vappPath, { token: olga })).body;
        if (seen.at(-1) !== v.status) seen.push(v.status);
        return v.status === 'POWERED_OFF' && v.vms[0]?.kubernetes?.printableStatus === 'Stopped' ? v : undefined;
      }, POLL);
      expect(seen.filter((x) => x !== 'INSTANTIATING' && x !== 'POWERED_OFF'), seen.join(' → ')).toEqual([]);
      // The template's VM: 1 socket × 1 core × 1 thread, resources.requests.memory 2Gi.
      expect(off.vms[0]).toMatchObject({ name: vmName, status: 'POWERED_OFF', hardware: { numCpus: 1, memoryMB: 2048 } });
      const vmObject = await custom.getNamespacedCustomObject({ ...kv('virtualmachines', vdc.namespace), name: vmName }) as any;
      expect(vmObject.spec.dataVolumeTemplates[0].spec.sourceRef).toEqual({ kind: 'DataSource', ...bootSource });

      await power('vapps', vapp.id, 'powerOn', olga, { name: vappName }, olgaName, orgRef);
      expect((await expectCall(200, 'GET', vappPath, { token: olga })).body).toMatchObject({ status: 'POWERED_ON', vms: [{ status: 'POWERED_ON', kubernetes: { printableStatus: 'Running' } }] });
      // A v0.25.0-format VM runs by `running`; KubeVirt refuses one that also has a runStrategy.
      const running = await custom.getNamespacedCustomObject({ ...kv('virtualmachines', vdc.namespace), name: vmName }) as any;
      expect(running.spec.running).toBe(true);
      expect(running.spec.runStrategy).toBeUndefined();
    } finally {
      await custom.deleteNamespacedCustomObject({ ...datasources, name: bootSource.name }).catch(() => {});
    }
  }, TEST_MS);

  it('answers 403 to a user of another organization for the VDC, vApp, VMs and tasks of the first, and changes nothing', async () => {
    const token = adminToken;
    // Org A with a VDC and a vApp whose VM its administrator powered on; org B with an administrator.
    const orgA = (await expectCall(201, 'POST', '/cloudapi/1.0.0/orgs', { token, body: { name: `iso-a-${SUFFIX}` } })).body;
    orgsToClean.add(orgA.id);
    const orgB = (await expectCall(201, 'POST', '/cloudapi/1.0.0/orgs', { token, body: { name: `iso-b-${SUFFIX}` } })).body;
    orgsToClean.add(orgB.id);
    const user = (name: string, org: { id: string }) => expectCall(201, 'POST', '/cloudapi/1.0.0/users', {
      token, body: { username: name, password: USER_PASSWORD, orgEntityRef: { id: org.id }, roleEntityRefs: [{ name: 'Organization Administrator' }] },
    });
    await user(`alice-${SUFFIX}`, orgA);
    await user(`bob-${SUFFIX}`, orgB);
    const vdc = (await expectCall(201, 'POST', `/api/admin/org/${encodeURIComponent(orgA.id)}/vdcs`, { token, body: { name: 'prod' } })).body;
    const catalog = (await expectCall(201, 'POST', '/cloudapi/1.0.0/catalogs', { token, body: { name: 'a-templates', orgId: orgA.id } })).body;
    const items = (await expectCall(200, 'GET', `/cloudapi/1.0.0/catalogs/${encodeURIComponent(catalog.id)}/catalogItems?filter=${encodeURIComponent(`name==${TEMPLATE}`)}`, { token })).body;
    expect(items.resultTotal).toBe(1);
    const item = items.values[0];
    const vdcPath = `/cloudapi/1.0.0/vdcs/${encodeURIComponent(vdc.id)}`;
    const vapp = (await expectCall(201, 'POST', `${vdcPath}/actions/instantiateTemplate`, {
      token, body: { name: 'db', catalogItem: { id: item.id }, parameters: [{ name: 'NAME', value: `db-${SUFFIX}` }] },
    })).body;
    const vappPath = `/cloudapi/1.0.0/vapps/${encodeURIComponent(vapp.id)}`;
    const alice = await login(`alice-${SUFFIX}@iso-a-${SUFFIX}`, USER_PASSWORD);
    await until('the vApp to be POWERED_OFF', async () => (await expectCall(200, 'GET', vappPath, { token: alice })).body.status === 'POWERED_OFF', POLL);
    const vm = (await expectCall(200, 'GET', `${vappPath}/vms`, { token: alice })).body.values[0];
    const vmPath = `/cloudapi/1.0.0/vms/${encodeURIComponent(vm.id)}`;
    const task = await power('vms', vm.id, 'powerOn', alice, { name: vm.name }, `alice-${SUFFIX}`, { id: orgA.id, name: orgA.name });
    const taskPaths = [`/api/task/${uuidOf(task.id)}`, `/cloudapi/1.0.0/tasks/${encodeURIComponent(task.id)}`];
    for (const path of [vdcPath, vappPath, `${vappPath}/vms`, vmPath, ...taskPaths]) await expectCall(200, 'GET', path, { token: alice });

    const bob = await login(`bob-${SUFFIX}@iso-b-${SUFFIX}`, USER_PASSWORD);
    expect((await expectCall(200, 'GET', `/cloudapi/1.0.0/orgs/${encodeURIComponent(orgB.id)}`, { token: bob })).body.name).toBe(orgB.name);
    const forbidden: [string, string, unknown?][] = [
      ['GET', `/cloudapi/1.0.0/orgs/${encodeURIComponent(orgA.id)}`],
      ['GET', vdcPath],
      ['GET', `${vdcPath}/vapps`],
      ['POST', `${vdcPath}/actions/instantiateTemplate`, { name: 'intruder', catalogItem: { id: item.id } }],
      ['GET', `/api/admin/org/${encodeURIComponent(orgA.id)}/vdcs/${encodeURIComponent(vdc.id)}`],
      ['DELETE', `/api/admin/org/${encodeURIComponent(orgA.id)}/vdcs/${encodeURIComponent(vdc.id)}?force=true`],
      ['GET', `/cloudapi/1.0.0/catalogs/${encodeURIComponent(catalog.id)}`],
      ['GET', vappPath],
      ['GET', `${vappPath}/vms`],
      ['POST', `${vappPath}/actions/powerOff`],
      ['DELETE', `${vappPath}?force=true`],
      ['GET', vmPath],
      ['POST', `${vmPath}/actions/powerOff`],
      ['POST', `${vmPath}/actions/reboot`],
      ...taskPaths.map((p): [string, string] => ['GET', p]),
    ];
    for (const [method, path, body] of forbidden) {
      const a = await call(method, path, { token: bob, body });
      expect(a.status, `${method} ${path}: ${JSON.stringify(a.body)}`).toBe(403);
      expect(a.body).toMatchObject({ minorErrorCode: 'ACCESS_TO_RESOURCE_IS_FORBIDDEN', code: 403, stackTrace: null });
      expect(a.body.message, `${method} ${path}`).not.toContain(vm.name);
    }
    // Naming org A as tenant context does not help either.
    const ctx = await call('GET', '/cloudapi/1.0.0/vapps', { token: bob, headers: { 'X-VMWARE-VCLOUD-TENANT-CONTEXT': orgA.id } });
    expect(ctx.status).toBe(403);
    // Lists: nothing of org A.
    for (const list of ['/cloudapi/1.0.0/vdcs', '/cloudapi/1.0.0/vapps', '/cloudapi/1.0.0/vms', '/cloudapi/1.0.0/tasks', '/cloudapi/1.0.0/catalogs']) {
      const l = (await expectCall(200, 'GET', list, { token: bob })).body;
      expect(l, list).toMatchObject({ resultTotal: 0, values: [] });
    }

    // Nothing changed: the vApp still runs, its VM too, in the cluster as in the API.
    expect((await expectCall(200, 'GET', vappPath, { token: alice })).body).toMatchObject({ status: 'POWERED_ON', numberOfVMs: 1 });
    const vmObject = await custom.getNamespacedCustomObject({ ...kv('virtualmachines', vdc.namespace), name: vm.name }) as any;
    expect(vmObject.metadata.deletionTimestamp).toBeUndefined();
    expect(vmObject.status.printableStatus).toBe('Running');
    expect((await expectCall(200, 'GET', vdcPath, { token })).body.status).toBe('READY');
    const alicesTask = (await expectCall(200, 'GET', taskPaths[1]!, { token: alice })).body;
    expect(alicesTask).toEqual(task);
  }, TEST_MS);
});
