/**
 * VDC namespaces against the Kubernetes API simulator: the namespace, `vdc-quota` and
 * `vdc-isolation` exactly as docs/kubernetes.md "VDC → namespace" shows them, applied idempotently (a second apply
 * changes nothing, drift is repaired, renames change labels not the name), deletion, look-ups.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '#test/cluster/index.ts';
import type { orgs, vdcs } from '#db/schema.ts';
import { KubeApi } from '#lib/k8s/api.ts';
import { applyVdcObjects, createVdcNamespace, deleteNamespace, listVdcNamespaces, readNamespace, readQuotaUsed } from '#lib/k8s/namespaces.ts';
import { K8sError } from '#lib/k8s/errors.ts';
import { parseQuantity } from '#lib/k8s/quantity.ts';
import { until } from '#test/support/wait.ts';

type Obj = Record<string, any>;
let sim: Simulator;
let api: KubeApi;
let counter = 0;

beforeAll(async () => {
  sim = await startSimulator({ tls: true, namespaceFinalizeDelayMs: 50, gcDelayMs: 10 });
});
afterAll(async () => {
  await sim?.stop();
});
beforeEach(() => {
  sim.faults.clear();
  api = new KubeApi(sim.kubeConfig(), { timeoutMs: 3_000 });
});

function org(extra: Partial<typeof orgs.$inferSelect> = {}): typeof orgs.$inferSelect {
  return { id: '0b4c3c5e-8f0e-4a57-9d8e-0a1b2c3d4e5f', name: 'acme', nameKey: 'acme', displayName: 'ACME Corporation', description: '', isEnabled: true, canPublish: false, isProvider: false, version: 1, createdAt: 0, updatedAt: 0, ...extra };
}

/** A VDC row with its own namespace name. */
function vdc(extra: Partial<typeof vdcs.$inferSelect> = {}): typeof vdcs.$inferSelect {
  const n = ++counter;
  return {
    id: `f2d1e0c9-1b2a-4c3d-8e4f-${String(n).padStart(12, '0')}`, orgId: org().id, name: 'Dev Team', nameKey: 'dev team', description: 'The dev team',
    allocationModel: 'AllocationVApp', cpuUnits: 'MHz', cpuAllocated: 0, cpuLimit: 4000, cpuReserved: 0, memoryUnits: 'MB', memoryAllocated: 0,
    memoryLimit: 8192, memoryReserved: 0, nicQuota: 0, networkQuota: 0, vmQuota: 3, storageProfiles: [{ name: 'default', enabled: true, units: 'MB', limit: 20480, default: true }],
    providerVdc: null, isThinProvision: true, isEnabled: true, status: 'READY', statusMessage: null, undoStartedAt: null, namespace: `vdc-acme-dev-${n}`, needsReconcile: false,
    version: 1, createdAt: 0, updatedAt: 0, ...extra,
  };
}

const OPTS = { isolation: true, mhzPerCore: 1000 };
/** Quota amounts as numbers: a real API server rewrites 4000m as 4, 8192Mi as 8Gi. */
const amounts = (hard: Record<string, string> | undefined) => Object.fromEntries(Object.entries(hard ?? {}).map(([k, v]) => [k, parseQuantity(v)]));
const Gi = 2 ** 30;
const readQuota = (ns: string) => api.core.readNamespacedResourceQuota({ name: 'vdc-quota', namespace: ns });
const readPolicy = (ns: string) => api.net.readNamespacedNetworkPolicy({ name: 'vdc-isolation', namespace: ns });
const rvs = async (ns: string) => [
  (await api.core.readNamespace({ name: ns })).metadata?.resourceVersion,
  (await readQuota(ns)).metadata?.resourceVersion,
  (await readPolicy(ns)).metadata?.resourceVersion,
];

describe('applyVdcObjects', () => {
  it('creates the namespace, quota and policy of docs/kubernetes.md', async () => {
    const v = vdc();
    await applyVdcObjects(api, v, org(), OPTS);
    const ns = await api.core.readNamespace({ name: v.namespace });
    expect(ns.metadata?.labels).toEqual({
      'kubernetes.io/metadata.name': v.namespace, // added by the API server
      'app.kubernetes.io/managed-by': 'ssvirt',
      'app.kubernetes.io/component': 'vdc',
      'ssvirt.io/organization': 'acme',
      'ssvirt.io/organization-id': org().id,
      'ssvirt.io/vdc': 'Dev-Team',
      'ssvirt.io/vdc-id': v.id,
    });
    expect(ns.metadata?.annotations).toEqual({
      'ssvirt.io/organization-urn': `urn:vcloud:org:${org().id}`,
      'ssvirt.io/organization-display-name': 'ACME Corporation',
      'ssvirt.io/vdc-urn': `urn:vcloud:vdc:${v.id}`,
      'ssvirt.io/vdc-name': 'Dev Team',
      'ssvirt.io/vdc-description': 'The dev team',
      'ssvirt.io/vdc-enabled': 'true',
    });
    const q = await readQuota(v.namespace);
    expect(q.metadata?.labels).toEqual({ 'app.kubernetes.io/managed-by': 'ssvirt', 'ssvirt.io/vdc-id': v.id });
    expect(amounts(q.spec?.hard)).toEqual({ 'requests.cpu': 4, 'requests.memory': 8 * Gi, 'requests.storage': 20 * Gi, 'count/virtualmachines.kubevirt.io': 3 });
    // Read as JSON: the typed client renames `from` to `_from`.
    const p = await api.raw<Obj>('get', 'networkpolicies', 'GET', `/apis/networking.k8s.io/v1/namespaces/${v.namespace}/networkpolicies/vdc-isolation`);
    expect(p.metadata.labels).toEqual({ 'app.kubernetes.io/managed-by': 'ssvirt', 'ssvirt.io/vdc-id': v.id });
    expect(p.spec).toEqual({
      podSelector: {}, policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: {} }, { namespaceSelector: { matchLabels: { 'policy-group.network.openshift.io/ingress': '' } } }] }],
    });
  });

  it('changes nothing when applied twice', async () => {
    const v = vdc();
    await applyVdcObjects(api, v, org(), OPTS);
    // The quota controller writes status.used on its own after the create: let it settle first.
    await until('quota status', async () => (await readQuota(v.namespace)).status?.used !== undefined);
    const before = await rvs(v.namespace);
    await applyVdcObjects(api, v, org(), OPTS);
    expect(await rvs(v.namespace)).toEqual(before);
  });

  it('follows renames, disabling and new limits without renaming the namespace', async () => {
    const v = vdc();
    await applyVdcObjects(api, v, org(), OPTS);
    const changed = { ...v, name: 'QA', description: '', isEnabled: false, cpuLimit: 0, memoryLimit: 2, memoryUnits: 'GB', vmQuota: 0 };
    await applyVdcObjects(api, changed, org({ name: 'acme2', displayName: 'ACME 2' }), OPTS);
    const ns = await api.core.readNamespace({ name: v.namespace });
    expect(ns.metadata?.labels).toMatchObject({ 'ssvirt.io/vdc': 'QA', 'ssvirt.io/organization': 'acme2' });
    expect(ns.metadata?.annotations).toMatchObject({ 'ssvirt.io/vdc-name': 'QA', 'ssvirt.io/vdc-enabled': 'false', 'ssvirt.io/organization-display-name': 'ACME 2', 'ssvirt.io/vdc-description': '' });
    // Keys that became unlimited are gone, not left at their old values.
    expect(amounts((await readQuota(v.namespace)).spec?.hard)).toEqual({ 'requests.memory': 2 * Gi, 'requests.storage': 20 * Gi });
  });

  it('repairs drift: labels changed by someone else are set back, their own labels are kept', async () => {
    const v = vdc();
    await applyVdcObjects(api, v, org(), OPTS);
    const ns = await api.core.readNamespace({ name: v.namespace });
    ns.metadata!.labels = { ...ns.metadata!.labels, 'ssvirt.io/vdc-id': 'tampered', 'team': 'blue' };
    await api.core.replaceNamespace({ name: v.namespace, body: ns });
    await api.net.deleteNamespacedNetworkPolicy({ name: 'vdc-isolation', namespace: v.namespace });
    await applyVdcObjects(api, v, org(), OPTS);
    const fixed = await api.core.readNamespace({ name: v.namespace });
    expect(fixed.metadata?.labels).toMatchObject({ 'ssvirt.io/vdc-id': v.id, team: 'blue' });
    expect((await readPolicy(v.namespace)).metadata?.name).toBe('vdc-isolation');
  });

  it('writes no NetworkPolicy when isolation is off', async () => {
    const v = vdc();
    await applyVdcObjects(api, v, org(), { isolation: false, mhzPerCore: 1000 });
    await expect(api.call('get', 'networkpolicies', (opt) => api.net.readNamespacedNetworkPolicy({ name: 'vdc-isolation', namespace: v.namespace }, opt)))
      .rejects.toMatchObject({ kind: 'notFound' });
    expect(amounts((await readQuota(v.namespace)).spec?.hard)['requests.cpu']).toBe(4);
  });

  it('divides MHz by the configured MHz per core', async () => {
    const v = vdc({ cpuLimit: 3000 });
    await applyVdcObjects(api, v, org(), { isolation: false, mhzPerCore: 2000 });
    expect(amounts((await readQuota(v.namespace)).spec?.hard)['requests.cpu']).toBe(1.5);
  });

  it('refuses (409 conflict) a namespace that is being deleted', async () => {
    const v = vdc();
    await applyVdcObjects(api, v, org(), OPTS);
    // A finalizer keeps it Terminating while the apply runs.
    await api.core.createNamespacedSecret({ namespace: v.namespace, body: { metadata: { name: 'held', finalizers: ['example.com/hold'] } } });
    await api.core.deleteNamespace({ name: v.namespace });
    const err = await applyVdcObjects(api, v, org(), OPTS).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(K8sError);
    expect(err).toMatchObject({ kind: 'conflict', status: 409, message: `namespace ${v.namespace} is being deleted` });
    await api.core.patchNamespacedSecret({ namespace: v.namespace, name: 'held', body: [{ op: 'remove', path: '/metadata/finalizers' }] });
  });

  it('passes a cluster failure on, classified', async () => {
    sim.faults.inject({ verb: 'patch', resource: 'resourcequotas', status: 503, times: 1 });
    await expect(applyVdcObjects(api, vdc(), org(), OPTS)).rejects.toMatchObject({ kind: 'unavailable', status: 503 });
    sim.faults.inject({ verb: 'patch', resource: 'namespaces', status: 409, times: 1 });
    await expect(applyVdcObjects(api, vdc(), org(), OPTS)).rejects.toMatchObject({ kind: 'conflict', status: 409 });
  });
});

describe('createVdcNamespace', () => {
  it('creates the namespace with the labels and annotations an apply gives it, then quota and policy follow', async () => {
    const v = vdc();
    expect(await createVdcNamespace(api, v, org())).toBe(true);
    const created = await api.core.readNamespace({ name: v.namespace });
    await applyVdcObjects(api, v, org(), { ...OPTS, namespaceCreated: true });
    const applied = vdc();
    await applyVdcObjects(api, applied, org(), OPTS);
    const reference = await api.core.readNamespace({ name: applied.namespace });
    const strip = (m: Record<string, string> | undefined, name: string) =>
      JSON.parse(JSON.stringify(m ?? {}).replaceAll(name, '<ns>').replaceAll(v.id, '<id>').replaceAll(applied.id, '<id>'));
    expect(strip(created.metadata?.labels, v.namespace)).toEqual(strip(reference.metadata?.labels, applied.namespace));
    expect(strip(created.metadata?.annotations, v.namespace)).toEqual(strip(reference.metadata?.annotations, applied.namespace));
    // namespaceCreated skipped only the namespace: quota and policy are there.
    expect(amounts((await readQuota(v.namespace)).spec?.hard)['requests.cpu']).toBe(4);
    expect((await readPolicy(v.namespace)).metadata?.name).toBe('vdc-isolation');
    // Later applies (updates, drift repair) own the same fields.
    await applyVdcObjects(api, { ...v, description: 'changed' }, org(), OPTS);
    expect((await api.core.readNamespace({ name: v.namespace })).metadata?.annotations?.['ssvirt.io/vdc-description']).toBe('changed');
  });

  it('answers false and leaves an existing namespace of that name alone', async () => {
    const v = vdc();
    await api.core.createNamespace({ body: { metadata: { name: v.namespace, labels: { team: 'someone-else' } } } });
    expect(await createVdcNamespace(api, v, org())).toBe(false);
    const ns = await api.core.readNamespace({ name: v.namespace });
    expect(ns.metadata?.labels).toEqual({ 'kubernetes.io/metadata.name': v.namespace, team: 'someone-else' });
  });

  it('passes other failures on, classified (a 409 Conflict is not "exists")', async () => {
    sim.faults.inject({ verb: 'create', resource: 'namespaces', status: 409, times: 1 });
    await expect(createVdcNamespace(api, vdc(), org())).rejects.toMatchObject({ kind: 'conflict', status: 409 });
    sim.faults.inject({ verb: 'create', resource: 'namespaces', status: 503, times: 1 });
    await expect(createVdcNamespace(api, vdc(), org())).rejects.toMatchObject({ kind: 'unavailable', status: 503 });
  });
});

describe('deleteNamespace', () => {
  it('asks for the deletion, then reports the namespace gone', async () => {
    const v = vdc();
    await applyVdcObjects(api, v, org(), OPTS);
    expect(await deleteNamespace(api, v.namespace)).toBe(false);
    await until('the namespace to go', async () => (await readNamespace(api, v.namespace)) === undefined);
    expect(await deleteNamespace(api, v.namespace)).toBe(true);
  });

  it('passes other failures on', async () => {
    sim.faults.inject({ verb: 'delete', resource: 'namespaces', status: 500, times: 1 });
    await expect(deleteNamespace(api, 'whatever')).rejects.toMatchObject({ kind: 'unavailable', status: 500 });
  });
});

describe('look-ups', () => {
  it('readNamespace answers the namespace, or undefined when missing', async () => {
    expect((await readNamespace(api, 'default'))?.metadata?.name).toBe('default');
    expect(await readNamespace(api, 'no-such-namespace')).toBeUndefined();
    sim.faults.inject({ verb: 'get', resource: 'namespaces', status: 503, times: 1 });
    await expect(readNamespace(api, 'default')).rejects.toMatchObject({ kind: 'unavailable' });
  });

  it('listVdcNamespaces lists only namespaces labelled as our VDCs', async () => {
    const v = vdc();
    await applyVdcObjects(api, v, org(), OPTS);
    await api.core.createNamespace({ body: { metadata: { name: `not-a-vdc-${counter}`, labels: { 'app.kubernetes.io/managed-by': 'ssvirt' } } } });
    await api.core.createNamespace({ body: { metadata: { name: `foreign-vdc-${counter}`, labels: { 'app.kubernetes.io/component': 'vdc' } } } });
    const names = (await listVdcNamespaces(api)).map((n) => n.metadata?.name);
    expect(names).toContain(v.namespace);
    expect(names.every((n) => n?.startsWith('vdc-acme-dev-'))).toBe(true);
  });

  it('readQuotaUsed reports status.used, and nothing for a namespace without the quota', async () => {
    const v = vdc();
    await applyVdcObjects(api, v, org(), OPTS);
    await until('the quota controller', async () => Object.keys(await readQuotaUsed(api, v.namespace)).length > 0);
    expect(await readQuotaUsed(api, v.namespace)).toMatchObject({ 'requests.cpu': '0', 'count/virtualmachines.kubevirt.io': '0' });
    expect(await readQuotaUsed(api, 'default')).toEqual({});
  });
});
