/**
 * Cluster failures as clients see them, and what is left afterwards: for each operation with a
 * cluster step (VDC create, update and delete, instantiate, vApp delete, power on) and each
 * failure the simulator can inject (API server unreachable, 500, 409, slower than the client
 * timeout, a dropped watch), the answer is never a 500 — 503 CLUSTER_UNAVAILABLE, or the mapped
 * 400 — and once the reconciler has run the database and the cluster agree: every row has its
 * objects, every object its row, no params Secret is left behind, no task stays running.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { startTestCluster, type TestCluster } from '#test/support/cluster.ts';
import { json } from '#test/support/app.ts';
import { seedCatalog } from '#test/support/fixtures.ts';
import { vdcWorld, type VdcWorld } from '#test/support/vdc-world.ts';
import { instantiatePath, vappPath, waitFor, type ClusterApp } from '#test/support/vapp-world.ts';
import type { FaultRule } from '#test/cluster/index.ts';
import { clusterError } from '#lib/http/cluster-errors.ts';
import { ApiError } from '#lib/http/errors.ts';
import { K8sError } from '#lib/k8s/errors.ts';
import { vdcs, vapps, tasks } from '#db/schema.ts';
import { memoryQuantity } from '#lib/k8s/vdc-objects.ts';

/** The runtime's client timeout in these tests (test/support/cluster.ts). */
const CLIENT_TIMEOUT_MS = 3_000;

let cluster: TestCluster;
let t: ClusterApp;
let w: VdcWorld;
let core: CoreV1Api;
let custom: CustomObjectsApi;
const enc = encodeURIComponent;
const adminVdcs = () => `/api/admin/org/${enc(`urn:vcloud:org:${w.acme.id}`)}/vdcs`;

beforeAll(async () => {
  cluster = await startTestCluster();
  t = await cluster.app({ env: { SSVIRT_TASK_TIMEOUT_SECONDS: '5' } });
  w = await vdcWorld(t);
  seedCatalog(t.db, w.acme.id, 'templates');
  core = cluster.sim.kubeConfig().makeApiClient(CoreV1Api);
  custom = cluster.sim.kubeConfig().makeApiClient(CustomObjectsApi);
  await t.runtime.waitForSync(5_000);
}, 30_000);
afterAll(() => cluster.stop());

describe('clusterError', () => {
  it.each([
    [new K8sError('unavailable', 503, 'down'), 503, 'CLUSTER_UNAVAILABLE'],
    [new K8sError('timeout', undefined, 'slow'), 503, 'CLUSTER_UNAVAILABLE'],
    [new K8sError('forbidden', 403, 'rbac'), 503, 'CLUSTER_UNAVAILABLE'],
    [new K8sError('conflict', 409, 'changed'), 400, 'BUSY_ENTITY'],
    [new K8sError('alreadyExists', 409, 'exists'), 400, 'BUSY_ENTITY'],
    [new K8sError('invalid', 422, 'bad'), 400, 'BAD_REQUEST'],
  ])('maps %s to %i %s', (e, status, code) => {
    const r = clusterError(e, 'Doing it') as ApiError;
    expect(r).toBeInstanceOf(ApiError);
    expect(r.status).toBe(status);
    expect(r.minorErrorCode).toBe(code);
    expect(r.message).toMatch(/^Doing it: /);
  });

  it('keeps a non-cluster error as it is (a bug stays a logged 500)', () => {
    const bug = new TypeError('x is undefined');
    expect(clusterError(bug, 'Doing it')).toBe(bug);
  });
});

// ---------------------------------------------------------------------------------------------

const ids = (rows: { id: string }[]) => rows.map((r) => r.id);

/** A READY VDC made through the API. */
async function readyVdc(): Promise<any> {
  const res = await t.request('POST', adminVdcs(), { token: w.tokens.sys, body: { name: `f-${randomUUID().slice(0, 6)}`, computeCapacity: { memory: { limit: 4096, units: 'MB' } } } });
  const vdc = await json(res);
  expect(res.status, JSON.stringify(vdc)).toBe(201);
  return vdc;
}

/** A POWERED_OFF vApp made through the API. */
async function offVapp(vdc: any): Promise<any> {
  const res = await t.request('POST', instantiatePath(vdc.id.split(':').pop()), { token: w.tokens.user, body: { name: `a-${randomUUID().slice(0, 6)}`, catalogItem: { name: 'fedora-server-small' } } });
  const v = await json(res);
  expect(res.status, JSON.stringify(v)).toBe(201);
  return waitFor(async () => { const g = await json(await t.request('GET', vappPath(v.id), { token: w.tokens.user })); return g.status === 'POWERED_OFF' ? g : undefined; }, 'vApp POWERED_OFF');
}

/** Differences between the database and the cluster (empty when they agree). */
async function disagreements(): Promise<string[]> {
  const out: string[] = [];
  const vdcRows = t.db.select().from(vdcs).all();
  const vappRows = t.db.select().from(vapps).all();
  for (const r of vdcRows) if (r.status !== 'READY') out.push(`vdc ${r.name} ${r.status}`);
  for (const r of vappRows) if (r.status === 'CREATING' || r.status === 'DELETING') out.push(`vapp ${r.name} ${r.status}`);
  for (const r of t.db.select().from(tasks).all()) if (r.status === 'running') out.push(`task ${r.operationName} running`);
  const namespaces = (await core.listNamespace({ labelSelector: 'app.kubernetes.io/managed-by=ssvirt' })).items;
  const nsOf = new Map(namespaces.filter((n) => !n.metadata?.deletionTimestamp).map((n) => [n.metadata!.labels!['ssvirt.io/vdc-id'], n]));
  for (const r of vdcRows) {
    const ns = nsOf.get(r.id);
    if (!ns) { out.push(`vdc ${r.name} without namespace`); continue; }
    const quota = await core.readNamespacedResourceQuota({ name: 'vdc-quota', namespace: r.namespace }).catch(() => undefined);
    if (quota?.spec?.hard?.['requests.memory'] !== memoryQuantity(r.memoryLimit, r.memoryUnits)) out.push(`vdc ${r.name} quota ${quota?.spec?.hard?.['requests.memory']} vs ${r.memoryLimit}`);
  }
  for (const id of nsOf.keys()) if (!vdcRows.some((r) => r.id === id)) out.push(`namespace of vdc ${id} without row`);
  const tis = ((await custom.listClusterCustomObject({ group: 'template.openshift.io', version: 'v1', plural: 'templateinstances' }) as any).items as any[]).filter((i) => !i.metadata.deletionTimestamp);
  for (const r of vappRows) if (!tis.some((i) => i.metadata.labels?.['ssvirt.io/vapp-id'] === r.id)) out.push(`vapp ${r.name} without instance`);
  for (const i of tis) if (!vappRows.some((r) => r.id === i.metadata.labels?.['ssvirt.io/vapp-id'])) out.push(`instance ${i.metadata.namespace}/${i.metadata.name} without row`);
  const secrets = (await core.listSecretForAllNamespaces({ labelSelector: 'ssvirt.io/vapp-id' })).items;
  for (const s of secrets) if (!vappRows.some((r) => r.id === s.metadata!.labels!['ssvirt.io/vapp-id'])) out.push(`secret ${s.metadata!.namespace}/${s.metadata!.name} without row`);
  const vmRows = t.db.$client.prepare('SELECT name, namespace, status FROM vms').all() as { name: string; namespace: string; status: string }[];
  for (const vm of vmRows) {
    const obj = await custom.getNamespacedCustomObject({ group: 'kubevirt.io', version: 'v1', namespace: vm.namespace, plural: 'virtualmachines', name: vm.name }).catch(() => undefined) as any;
    const want = obj?.status?.printableStatus === 'Running' ? 'POWERED_ON' : 'POWERED_OFF';
    if (!obj) out.push(`vm ${vm.name} without object`);
    else if (vm.status !== want) out.push(`vm ${vm.name} ${vm.status} vs ${obj.status?.printableStatus}`);
  }
  return out;
}

/** Runs the reconciler until the database and the cluster agree (bounded). */
async function expectAgreement(): Promise<void> {
  let last: string[] = [];
  await waitFor(async () => {
    await t.runtime.reconciler!.trigger();
    last = await disagreements();
    return last.length === 0;
  }, 'database and cluster agreement', 30_000).catch(() => { throw new Error(`database and cluster disagree: ${last.join('; ')}`); });
}

interface Op {
  name: string;
  /** The Kubernetes call the fault is aimed at. */
  target: Pick<FaultRule, 'verb' | 'resource'>;
  /** The watch that carries the result back. */
  watch: string;
  /** Prepares the objects and returns the request. */
  prepare(): Promise<() => Promise<Response>>;
  /** The 400 a 409 from the cluster maps to (code). */
  conflict: string;
  /**
   * A delete whose call got no answer (outage, timeout) is completed by the reconciler anyway:
   * it is accepted (202), not a 503 that invites a retry. An answered failure is still a 503.
   */
  acceptedWithoutAnswer?: boolean;
}

const ops: Op[] = [
  {
    name: 'VDC create', target: { verb: 'create', resource: 'namespaces' }, watch: 'namespaces', conflict: 'BUSY_ENTITY',
    async prepare() {
      return () => t.request('POST', adminVdcs(), { token: w.tokens.sys, body: { name: `c-${randomUUID().slice(0, 6)}` } });
    },
  },
  {
    name: 'VDC update', target: { verb: 'patch', resource: 'resourcequotas' }, watch: 'resourcequotas', conflict: 'BUSY_ENTITY',
    async prepare() {
      const vdc = await readyVdc();
      return () => t.request('PUT', `${adminVdcs()}/${enc(vdc.id)}`, { token: w.tokens.sys, body: { ...vdc, computeCapacity: { memory: { limit: 6144, units: 'MB' } } } });
    },
  },
  {
    name: 'VDC delete', target: { verb: 'delete', resource: 'namespaces' }, watch: 'namespaces', conflict: 'BUSY_ENTITY', acceptedWithoutAnswer: true,
    async prepare() {
      const vdc = await readyVdc();
      return () => t.request('DELETE', `${adminVdcs()}/${enc(vdc.id)}`, { token: w.tokens.sys });
    },
  },
  {
    name: 'instantiate', target: { verb: 'create', resource: 'templateinstances' }, watch: 'virtualmachines', conflict: 'BUSY_ENTITY',
    async prepare() {
      const vdc = await readyVdc();
      return () => t.request('POST', instantiatePath(vdc.id.split(':').pop()), { token: w.tokens.user, body: { name: `i-${randomUUID().slice(0, 6)}`, catalogItem: { name: 'fedora-server-small' } } });
    },
  },
  {
    name: 'vApp delete', target: { verb: 'delete', resource: 'templateinstances' }, watch: 'templateinstances', conflict: 'BUSY_ENTITY', acceptedWithoutAnswer: true,
    async prepare() {
      const v = await offVapp(await readyVdc());
      return () => t.request('DELETE', vappPath(v.id), { token: w.tokens.user });
    },
  },
  {
    name: 'power on', target: { verb: 'update', resource: 'virtualmachines/start' }, watch: 'virtualmachines', conflict: 'BUSY_ENTITY',
    async prepare() {
      const v = await offVapp(await readyVdc());
      return () => t.request('POST', `${vappPath(v.id)}/actions/powerOn`, { token: w.tokens.user });
    },
  },
];

/** Waits until the runtime has noticed the API server is back. */
async function reachableAgain(): Promise<void> {
  await waitFor(() => t.runtime.reachable() && t.runtime.health().informers === 'synced', 'cluster reachable again', 15_000);
}

async function expectClusterUnavailable(res: Response): Promise<void> {
  const body = await json(res);
  expect(res.status, JSON.stringify(body)).toBe(503);
  expect(body.minorErrorCode).toBe('CLUSTER_UNAVAILABLE');
}

/** When the cluster gave no answer: 503, or for a delete that completes anyway 202 DELETING. */
async function expectUnanswered(op: Op, res: Response): Promise<void> {
  if (!op.acceptedWithoutAnswer) return expectClusterUnavailable(res);
  const body = await json(res);
  expect(res.status, JSON.stringify(body)).toBe(202);
  expect(body.status).toBe('DELETING');
}

describe.each(ops)('$name under cluster failures', { timeout: 45_000 }, (op) => {
  it(`answers ${op.acceptedWithoutAnswer ? '202 (the delete completes anyway)' : '503 CLUSTER_UNAVAILABLE'} while the API server is unreachable; agreement after it is back`, async () => {
    const send = await op.prepare();
    const id = cluster.sim.faults.inject({ outage: true });
    try {
      await expectUnanswered(op, await send());
    } finally {
      cluster.sim.faults.clear(id);
    }
    await reachableAgain();
    await expectAgreement();
  });

  it('answers 503 CLUSTER_UNAVAILABLE for a 500 from the API server; agreement after', async () => {
    const send = await op.prepare();
    cluster.sim.faults.inject({ ...op.target, status: 500, times: 1 });
    await expectClusterUnavailable(await send());
    await reachableAgain();
    await expectAgreement();
  });

  it(`answers 400 ${op.conflict} for a 409 from the API server; agreement after`, async () => {
    const send = await op.prepare();
    cluster.sim.faults.inject({ ...op.target, status: 409, times: 1 });
    const res = await send();
    const body = await json(res);
    expect(res.status, JSON.stringify(body)).toBe(400);
    expect(body.minorErrorCode).toBe(op.conflict);
    await expectAgreement();
  });

  it(`answers ${op.acceptedWithoutAnswer ? '202' : '503 CLUSTER_UNAVAILABLE'} when the call outlasts the client timeout, even if it lands later; agreement after`, async () => {
    const send = await op.prepare();
    cluster.sim.faults.inject({ ...op.target, latencyMs: CLIENT_TIMEOUT_MS + 500, times: 1 });
    await expectUnanswered(op, await send());
    // The held call reaches the store after the client gave up.
    await new Promise((r) => setTimeout(r, 800));
    await reachableAgain();
    await expectAgreement();
  });

  it('succeeds through a dropped watch (stream closed, then a 410 on reconnect): agreement after', async () => {
    const send = await op.prepare();
    cluster.sim.faults.inject({ verb: 'watch', resource: op.watch, dropWatch: 'close', times: 1 });
    cluster.sim.faults.inject({ verb: 'watch', resource: op.watch, dropWatch: 'gone', times: 1 });
    const res = await send();
    expect(res.status, await res.clone().text()).toBeLessThan(300);
    await expectAgreement();
  });
});
