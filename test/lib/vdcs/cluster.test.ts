/**
 * The VDC lifecycle against the simulated cluster: what the admin API creates, updates and
 * deletes in Kubernetes, and what happens when the cluster fails in between.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { CoreV1Api, NetworkingV1Api } from '@kubernetes/client-node';
import { startTestCluster, type TestCluster } from '#test/support/cluster.ts';
import { json } from '#test/support/app.ts';
import { seedOrg } from '#test/support/fixtures.ts';
import { findVdc, updateVdc, vdcsOfOrg } from '#db/queries/vdcs.ts';
import { until } from '#test/support/wait.ts';

let cluster: TestCluster;
let core: CoreV1Api;
let net: NetworkingV1Api;

/** How the tests below poll (`until`): every 25 ms for up to 5 s. */
const POLL = { intervalMs: 25 };

beforeAll(async () => {
  cluster = await startTestCluster();
  core = cluster.sim.kubeConfig().makeApiClient(CoreV1Api);
  net = cluster.sim.kubeConfig().makeApiClient(NetworkingV1Api);
});
afterAll(() => cluster?.stop());

const nsGone = async (name: string) => {
  try { await core.readNamespace({ name }); return false; } catch (e) { return (e as { code?: number }).code === 404; }
};

describe('VDC lifecycle on a cluster', () => {
  it('creates the namespace, quota and policy with the labels and converted limits', async () => {
    const t = await cluster.app();
    const admin = await t.adminToken();
    const org = seedOrg(t.db, 'Acme Corp', { displayName: 'ACME Corporation' });
    const res = await t.request('POST', `/api/admin/org/urn:vcloud:org:${org.id}/vdcs`, {
      token: admin,
      body: { name: 'Dev Team', description: 'devs', computeCapacity: { cpu: { limit: 4000, units: 'MHz' }, memory: { limit: 8, units: 'GB' } }, vdcStorageProfiles: [{ name: 'gold', limit: 10240 }], vmQuota: 5 },
    });
    expect(res.status).toBe(201);
    const vdc = await json(res);
    expect(vdc.status).toBe('READY');
    expect(vdc.namespace).toBe('vdc-acme-corp-dev-team');
    const ns = await core.readNamespace({ name: vdc.namespace });
    expect(ns.metadata?.labels).toMatchObject({
      'app.kubernetes.io/managed-by': 'ssvirt', 'app.kubernetes.io/component': 'vdc',
      'ssvirt.io/organization': 'Acme-Corp', 'ssvirt.io/organization-id': org.id, 'ssvirt.io/vdc': 'Dev-Team',
      'ssvirt.io/vdc-id': vdc.id.split(':').pop(),
    });
    expect(ns.metadata?.annotations).toMatchObject({
      'ssvirt.io/organization-urn': `urn:vcloud:org:${org.id}`, 'ssvirt.io/organization-display-name': 'ACME Corporation',
      'ssvirt.io/vdc-urn': vdc.id, 'ssvirt.io/vdc-name': 'Dev Team', 'ssvirt.io/vdc-description': 'devs', 'ssvirt.io/vdc-enabled': 'true',
    });
    const quota = await core.readNamespacedResourceQuota({ name: 'vdc-quota', namespace: vdc.namespace });
    expect(quota.spec?.hard).toEqual({ 'requests.cpu': '4000m', 'requests.memory': '8Gi', 'requests.storage': '10240Mi', 'count/virtualmachines.kubevirt.io': '5' });
    const pol = await net.readNamespacedNetworkPolicy({ name: 'vdc-isolation', namespace: vdc.namespace });
    // client-node's typed model names the `from` field `_from`.
    expect(pol.spec?.ingress?.[0]?._from).toHaveLength(2);
  });

  it('re-applies labels and quota on update, and marks a disabled VDC', async () => {
    const t = await cluster.app();
    const admin = await t.adminToken();
    const org = seedOrg(t.db, 'Upd');
    const vdc = await json(await t.request('POST', `/api/admin/org/urn:vcloud:org:${org.id}/vdcs`, { token: admin, body: { name: 'one' } }));
    const res = await t.request('PATCH', `/api/admin/org/urn:vcloud:org:${org.id}/vdcs/${vdc.id}`, {
      token: admin, body: { name: 'renamed', isEnabled: false, computeCapacity: { cpu: { limit: 2, units: 'cores' } } },
    });
    expect(res.status).toBe(200);
    const ns = await core.readNamespace({ name: vdc.namespace });
    expect(ns.metadata?.labels?.['ssvirt.io/vdc']).toBe('renamed');
    expect(ns.metadata?.annotations?.['ssvirt.io/vdc-enabled']).toBe('false');
    const quota = await core.readNamespacedResourceQuota({ name: 'vdc-quota', namespace: vdc.namespace });
    expect(quota.spec?.hard).toEqual({ 'requests.cpu': '2' });
  });

  it('deletes Kubernetes first: 202 DELETING, then the namespace and the row are gone', async () => {
    const t = await cluster.app();
    const admin = await t.adminToken();
    const org = seedOrg(t.db, 'Del');
    const vdc = await json(await t.request('POST', `/api/admin/org/urn:vcloud:org:${org.id}/vdcs`, { token: admin, body: { name: 'gone' } }));
    const res = await t.request('DELETE', `/api/admin/org/urn:vcloud:org:${org.id}/vdcs/${vdc.id}`, { token: admin });
    expect([202, 204]).toContain(res.status);
    if (res.status === 202) expect((await json(res)).status).toBe('DELETING');
    await until('the namespace to go', () => nsGone(vdc.namespace), POLL);
    await until('the VDC to answer 403', async () => (await t.request('GET', `/cloudapi/1.0.0/vdcs/${vdc.id}`, { token: admin })).status === 403, POLL);
  });

  it('skips a namespace name that still exists in the cluster', async () => {
    const t = await cluster.app();
    const admin = await t.adminToken();
    const org = seedOrg(t.db, 'Taken');
    await core.createNamespace({ body: { metadata: { name: 'vdc-taken-x' } } });
    const vdc = await json(await t.request('POST', `/api/admin/org/urn:vcloud:org:${org.id}/vdcs`, { token: admin, body: { name: 'x' } }));
    expect(vdc.namespace).toBe('vdc-taken-x-2');
    // The foreign namespace is untouched.
    expect((await core.readNamespace({ name: 'vdc-taken-x' })).metadata?.labels?.['ssvirt.io/vdc-id']).toBeUndefined();
  });

  it.each([
    ['a 500 from the API server', { status: 500 as const }],
    ['a 503 from the API server', { status: 503 as const }],
    ['a connection reset', { reset: true }],
  ])('undoes the create after %s: 503, no row, no namespace', async (_label, fault) => {
    const t = await cluster.app();
    const admin = await t.adminToken();
    const org = seedOrg(t.db, `F${Math.random().toString(36).slice(2, 8)}`);
    const id = cluster.sim.faults.inject({ verb: 'patch', resource: 'resourcequotas', times: 1, ...fault });
    try {
      const res = await t.request('POST', `/api/admin/org/urn:vcloud:org:${org.id}/vdcs`, { token: admin, body: { name: 'boom' } });
      expect(res.status).toBe(503);
      expect((await json(res)).minorErrorCode).toBe('CLUSTER_UNAVAILABLE');
    } finally {
      cluster.sim.faults.clear(id);
    }
    // The namespace made before the failure is deleted; until it is gone the row waits as DELETING
    // (after a reset, for the late-write window too: the lost call may still land).
    await until('the namespace to go', () => nsGone(`vdc-${org.name.toLowerCase()}-boom`), POLL);
    await until('the VDCs of the org to go', async () => {
      await t.runtime.reconciler!.trigger();
      const list = await json(await t.request('GET', '/cloudapi/1.0.0/vdcs', { token: admin }));
      return list.values.filter((v: any) => v.org.id.endsWith(org.id)).length === 0;
    }, { ...POLL, timeoutMs: 15_000 });
  });

  it('keeps a VDC undone after a connection reset for the late-write window by its undo_started_at, even once its message is changed', async () => {
    const t = await cluster.app();
    const admin = await t.adminToken();
    const org = seedOrg(t.db, `L${Math.random().toString(36).slice(2, 8)}`);
    const id = cluster.sim.faults.inject({ verb: 'patch', resource: 'resourcequotas', times: 1, reset: true });
    const before = Date.now();
    try {
      expect((await t.request('POST', `/api/admin/org/urn:vcloud:org:${org.id}/vdcs`, { token: admin, body: { name: 'late' } })).status).toBe(503);
    } finally {
      cluster.sim.faults.clear(id);
    }
    const row = vdcsOfOrg(t.db, org.id)[0]!;
    expect(row).toMatchObject({ status: 'DELETING', statusMessage: 'Creation failed; removing what it created' });
    expect(row.undoStartedAt).toBeGreaterThanOrEqual(before);
    // The message (and an old updatedAt) no longer mark anything: the column does.
    updateVdc(t.db, row.id, { statusMessage: 'rewritten', updatedAt: before - 120_000 });
    await until('the namespace to go', () => nsGone(row.namespace), POLL);
    await t.runtime.reconciler!.trigger();
    expect(findVdc(t.db, row.id)).toMatchObject({ status: 'DELETING', statusMessage: 'rewritten' });
    updateVdc(t.db, row.id, { undoStartedAt: Date.now() - t.runtime.lateWriteMs - 1 });
    await until('the row to go', async () => { await t.runtime.reconciler!.trigger(); return !findVdc(t.db, row.id); }, POLL);
  });

  it('maps a 409 from the cluster to 400 BUSY_ENTITY and leaves nothing behind', async () => {
    const t = await cluster.app();
    const admin = await t.adminToken();
    const org = seedOrg(t.db, 'Conflict');
    const id = cluster.sim.faults.inject({ verb: 'patch', resource: 'networkpolicies', status: 409, times: 1 });
    try {
      const res = await t.request('POST', `/api/admin/org/urn:vcloud:org:${org.id}/vdcs`, { token: admin, body: { name: 'c' } });
      expect(res.status).toBe(400);
      expect((await json(res)).minorErrorCode).toBe('BUSY_ENTITY');
    } finally {
      cluster.sim.faults.clear(id);
    }
    await until('the namespace to go', () => nsGone('vdc-conflict-c'), POLL);
  });

  it('answers 503 when the update cannot reach the cluster, keeps the change and repairs it later', async () => {
    const t = await cluster.app();
    const admin = await t.adminToken();
    const org = seedOrg(t.db, 'Later');
    const vdc = await json(await t.request('POST', `/api/admin/org/urn:vcloud:org:${org.id}/vdcs`, { token: admin, body: { name: 'l' } }));
    const id = cluster.sim.faults.inject({ verb: 'patch', resource: 'namespaces', status: 503 });
    try {
      const res = await t.request('PATCH', `/api/admin/org/urn:vcloud:org:${org.id}/vdcs/${vdc.id}`, { token: admin, body: { description: 'new text' } });
      expect(res.status).toBe(503);
      expect(findVdc(t.db, vdc.id.split(':').pop())?.needsReconcile).toBe(true);
    } finally {
      cluster.sim.faults.clear(id);
    }
    // The 503 made the runtime report the cluster unreachable until its probe succeeds again.
    await until('the cluster to be reachable again', () => t.runtime.reachable(), POLL);
    await t.runtime.reconciler!.trigger();
    const ns = await core.readNamespace({ name: vdc.namespace });
    expect(ns.metadata?.annotations?.['ssvirt.io/vdc-description']).toBe('new text');
    expect(findVdc(t.db, vdc.id.split(':').pop())?.needsReconcile).toBe(false);
  });

  it('recreates a namespace deleted out of band and re-applies a drifted quota', async () => {
    const t = await cluster.app();
    const admin = await t.adminToken();
    const org = seedOrg(t.db, 'Drift');
    const vdc = await json(await t.request('POST', `/api/admin/org/urn:vcloud:org:${org.id}/vdcs`, { token: admin, body: { name: 'd', vmQuota: 3 } }));
    await core.patchNamespacedResourceQuota(
      { name: 'vdc-quota', namespace: vdc.namespace, body: [{ op: 'replace', path: '/spec/hard', value: { 'count/virtualmachines.kubevirt.io': '99' } }] },
    );
    await until('the informer to see the drifted quota', () => t.runtime.quotas.get('vdc-quota', vdc.namespace)?.spec?.hard?.['count/virtualmachines.kubevirt.io'] === '99', POLL);
    await t.runtime.reconciler!.trigger();
    const q = await core.readNamespacedResourceQuota({ name: 'vdc-quota', namespace: vdc.namespace });
    expect(q.spec?.hard).toEqual({ 'count/virtualmachines.kubevirt.io': '3' });

    // Deleted out of band: the namespace watch triggers the reconciler, which creates it anew.
    const oldUid = (await core.readNamespace({ name: vdc.namespace })).metadata?.uid;
    await core.deleteNamespace({ name: vdc.namespace });
    const again = await until('the namespace to be recreated', async () => {
      try {
        const ns = await core.readNamespace({ name: vdc.namespace });
        return ns.metadata?.uid !== oldUid && !ns.metadata?.deletionTimestamp ? ns : undefined;
      } catch { return undefined; }
    }, POLL);
    expect(again.metadata?.labels?.['ssvirt.io/vdc-id']).toBe(vdc.id.split(':').pop());
    await until('the quota to be recreated', async () => { try { return !!(await core.readNamespacedResourceQuota({ name: 'vdc-quota', namespace: vdc.namespace })); } catch { return undefined; } }, POLL);
  });

  it('reports namespaces labelled as ours that no row claims, without deleting them', async () => {
    const t = await cluster.app();
    await core.createNamespace({ body: { metadata: { name: 'vdc-orphan', labels: { 'app.kubernetes.io/managed-by': 'ssvirt', 'app.kubernetes.io/component': 'vdc', 'ssvirt.io/vdc-id': '00000000-0000-4000-8000-000000000000' } } } });
    await until('the informer to see vdc-orphan', () => t.runtime.namespaces.get('vdc-orphan'), POLL);
    await t.runtime.reconciler!.trigger();
    const ready = await json(await t.request('GET', '/readyz'));
    expect(ready.checks.unclaimedNamespaces).toContain('vdc-orphan');
    expect((await core.readNamespace({ name: 'vdc-orphan' })).metadata?.name).toBe('vdc-orphan');
  });
});
