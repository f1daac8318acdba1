/**
 * The simulator driven only through @kubernetes/client-node 1.4 (CoreV1Api, CustomObjectsApi,
 * makeInformer, Watch) over HTTP, and once over HTTPS with the self-signed certificate from the
 * kubeconfig: CRUD, patches, 409 handling, informers, and the 410 re-list.
 */
import {
  ApiException, CoreV1Api, CustomObjectsApi, KubeConfig, makeInformer, PatchStrategy, setHeaderOptions, Watch,
  type KubernetesObject, type V1Namespace,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../index.ts';
import { until } from '#test/support/wait.ts';

const G = 'kubevirt.io', V = 'v1', VMS = 'virtualmachines';
const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const apply = setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply);
/** How the tests below poll (`until`): every 20 ms for up to 3 s. */
const POLL = { timeoutMs: 3_000 };

function vm(name: string, labels: Record<string, string> = {}) {
  return { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name, labels }, spec: { runStrategy: 'Halted', template: { spec: {} } } };
}

/** The Status an ApiException carries (client-node keeps the raw body text). */
export function statusBody(e: unknown): any {
  expect(e).toBeInstanceOf(ApiException);
  const b = (e as ApiException<unknown>).body;
  return typeof b === 'string' ? JSON.parse(b) : b;
}

async function rejects(p: Promise<unknown>): Promise<ApiException<unknown>> {
  try { await p; } catch (e) { return e as ApiException<unknown>; }
  throw new Error('expected the call to fail');
}

/** HTTP status of a call: 200 when it succeeds. */
async function codeOf(p: Promise<unknown>): Promise<number> {
  try { await p; return 200; } catch (e) { return (e as ApiException<unknown>).code; }
}

let sim: Simulator;
let kc: KubeConfig;
let core: CoreV1Api;
let crd: CustomObjectsApi;

beforeAll(async () => {
  sim = await startSimulator({ gcDelayMs: 10, namespaceFinalizeDelayMs: 50, bookmarkIntervalMs: 200 });
  kc = sim.kubeConfig();
  core = kc.makeApiClient(CoreV1Api);
  crd = kc.makeApiClient(CustomObjectsApi);
  await core.createNamespace({ body: { metadata: { name: 'cn', labels: { 'app.kubernetes.io/managed-by': 'ssvirt' } } } });
});
afterAll(async () => { await sim?.stop(); });

describe('core objects through CoreV1Api', () => {
  it('creates, lists by label, reads, merge-patches and answers AlreadyExists', async () => {
    const ns = await core.readNamespace({ name: 'cn' });
    expect(ns.status?.phase).toBe('Active');
    expect(ns.spec?.finalizers).toEqual(['kubernetes']);
    expect(ns.metadata?.labels?.['kubernetes.io/metadata.name']).toBe('cn');

    const e = await rejects(core.createNamespace({ body: { metadata: { name: 'cn' } } }));
    expect(e.code).toBe(409);
    expect(statusBody(e)).toMatchObject({ kind: 'Status', reason: 'AlreadyExists', details: { name: 'cn', kind: 'namespaces' } });

    const list = await core.listNamespace({ labelSelector: 'app.kubernetes.io/managed-by=ssvirt' });
    expect(list.items.map((n) => n.metadata?.name)).toEqual(['cn']);

    const patched = await core.patchNamespace({ name: 'cn', body: { metadata: { labels: { tier: 'gold' } } } }, merge);
    expect(patched.metadata?.labels).toMatchObject({ tier: 'gold', 'app.kubernetes.io/managed-by': 'ssvirt' });
    expect(Number(patched.metadata?.resourceVersion)).toBeGreaterThan(Number(ns.metadata?.resourceVersion));
  });

  it('applies JSON patch by default and strategic merge patch on request', async () => {
    const p1 = await core.patchNamespace({ name: 'cn', body: [{ op: 'add', path: '/metadata/labels/ssvirt.io~1vdc', value: 'v1' }] });
    expect(p1.metadata?.labels?.['ssvirt.io/vdc']).toBe('v1');
    const p2 = await core.patchNamespace({ name: 'cn', body: { metadata: { labels: { 'ssvirt.io/vdc': null } } } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch));
    expect(p2.metadata?.labels?.['ssvirt.io/vdc']).toBeUndefined();
  });

  it('turns stringData into data and refuses a stale update with 409 Conflict', async () => {
    const s = await core.createNamespacedSecret({ namespace: 'cn', body: { metadata: { name: 's1' }, stringData: { user: 'admin' } } });
    expect(s.data).toEqual({ user: Buffer.from('admin').toString('base64') });
    expect(s.type).toBe('Opaque');
    const fresh = await core.replaceNamespacedSecret({ namespace: 'cn', name: 's1', body: { ...s, data: { user: 'eA==' } } });
    const e = await rejects(core.replaceNamespacedSecret({ namespace: 'cn', name: 's1', body: s }));
    expect(e.code).toBe(409);
    expect(statusBody(e)).toMatchObject({ reason: 'Conflict', message: 'Operation cannot be fulfilled on secrets "s1": the object has been modified; please apply your changes to the latest version and try again' });
    await core.deleteNamespacedSecret({ namespace: 'cn', name: 's1' });
    const gone = await rejects(core.readNamespacedSecret({ namespace: 'cn', name: 's1' }));
    expect(gone.code).toBe(404);
    expect(fresh.data?.user).toBe('eA==');
  });

  it('server-side applies a ResourceQuota (create 201 path, update, no-op) and reports usage', async () => {
    const body = { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'vdc-quota' }, spec: { hard: { 'count/virtualmachines.kubevirt.io': '2', 'requests.cpu': '4' } } };
    const q1 = await core.patchNamespacedResourceQuota({ namespace: 'cn', name: 'vdc-quota', body, fieldManager: 'ssvirt', force: true }, apply);
    expect(q1.spec?.hard?.['requests.cpu']).toBe('4');
    const settled = await until('the quota status', async () => {
      const r = await core.readNamespacedResourceQuota({ namespace: 'cn', name: 'vdc-quota' });
      return r.status?.hard ? r : undefined;
    }, POLL);
    const q2 = await core.patchNamespacedResourceQuota({ namespace: 'cn', name: 'vdc-quota', body, fieldManager: 'ssvirt', force: true }, apply);
    expect(q2.metadata?.resourceVersion).toBe(settled.metadata?.resourceVersion);
    const noManager = await rejects(core.patchNamespacedResourceQuota({ namespace: 'cn', name: 'vdc-quota', body }, apply));
    expect(noManager.code).toBe(422);

    await crd.createNamespacedCustomObject({ group: G, version: V, namespace: 'cn', plural: VMS, body: vm('q1') });
    await crd.createNamespacedCustomObject({ group: G, version: V, namespace: 'cn', plural: VMS, body: vm('q2') });
    const over = await rejects(crd.createNamespacedCustomObject({ group: G, version: V, namespace: 'cn', plural: VMS, body: vm('q3') }));
    expect(over.code).toBe(403);
    expect(statusBody(over).message).toContain('exceeded quota: vdc-quota');
    const q = await until('the quota to count two VMs', async () => {
      const r = await core.readNamespacedResourceQuota({ namespace: 'cn', name: 'vdc-quota' });
      return r.status?.used?.['count/virtualmachines.kubevirt.io'] === '2' ? r : undefined;
    }, POLL);
    expect(q.status?.hard?.['requests.cpu']).toBe('4');
    expect(q.status?.used?.['requests.cpu']).toBe('0');
    for (const n of ['q1', 'q2']) await crd.deleteNamespacedCustomObject({ group: G, version: V, namespace: 'cn', plural: VMS, name: n });
    await core.deleteNamespacedResourceQuota({ namespace: 'cn', name: 'vdc-quota' });
  });

  it('answers 401 without a valid token and 403 for the unprivileged user', async () => {
    const bad = new KubeConfig();
    bad.loadFromOptions({ ...JSON.parse(JSON.stringify({ clusters: kc.clusters, contexts: kc.contexts, currentContext: kc.currentContext })), users: [{ name: 'admin', token: 'wrong' }] });
    const e1 = await rejects(bad.makeApiClient(CoreV1Api).listNamespace());
    expect(e1.code).toBe(401);
    const user = new KubeConfig();
    user.loadFromOptions({ clusters: kc.clusters, contexts: kc.contexts, currentContext: kc.currentContext, users: [{ name: 'admin', token: sim.userToken }] });
    const e2 = await rejects(user.makeApiClient(CustomObjectsApi).listNamespacedCustomObject({ group: G, version: V, namespace: 'cn', plural: VMS }));
    expect(e2.code).toBe(403);
    expect(statusBody(e2).message).toBe('virtualmachines.kubevirt.io is forbidden: User "test-user" cannot list resource "virtualmachines" in API group "kubevirt.io" in the namespace "cn"');
  });
});

describe('custom resources through CustomObjectsApi', () => {
  it('creates, pages with limit/continue, patches spec and status, and rejects stale replaces', async () => {
    for (const n of ['a1', 'a2', 'a3']) await crd.createNamespacedCustomObject({ group: G, version: V, namespace: 'cn', plural: VMS, body: vm(n, { app: 'x' }) });
    const p1: any = await crd.listNamespacedCustomObject({ group: G, version: V, namespace: 'cn', plural: VMS, limit: 2 });
    expect(p1.items.map((i: any) => i.metadata.name)).toEqual(['a1', 'a2']);
    expect(p1.metadata.remainingItemCount).toBe(1);
    const p2: any = await crd.listNamespacedCustomObject({ group: G, version: V, namespace: 'cn', plural: VMS, limit: 2, _continue: p1.metadata.continue });
    expect(p2.items.map((i: any) => i.metadata.name)).toEqual(['a3']);
    expect(p2.metadata.continue).toBe('');

    const patched: any = await crd.patchNamespacedCustomObject({ group: G, version: V, namespace: 'cn', plural: VMS, name: 'a1', body: { spec: { runStrategy: 'Always' } } }, merge);
    expect(patched.spec.runStrategy).toBe('Always');
    expect(patched.metadata.generation).toBe(2);
    const st: any = await crd.patchNamespacedCustomObjectStatus({ group: G, version: V, namespace: 'cn', plural: VMS, name: 'a1', body: { status: { printableStatus: 'Stopped' } } }, merge);
    expect(st.status.printableStatus).toBe('Stopped');
    expect(st.metadata.generation).toBe(2);

    const stale = { ...patched, metadata: { ...patched.metadata, labels: { app: 'y' } } };
    const e = await rejects(crd.replaceNamespacedCustomObject({ group: G, version: V, namespace: 'cn', plural: VMS, name: 'a1', body: stale }));
    expect(e.code).toBe(409);
    expect(statusBody(e)).toMatchObject({ reason: 'Conflict', details: { name: 'a1', group: 'kubevirt.io', kind: 'virtualmachines' } });
    // The usual 409 handling: re-read and retry.
    const cur: any = await crd.getNamespacedCustomObject({ group: G, version: V, namespace: 'cn', plural: VMS, name: 'a1' });
    const ok: any = await crd.replaceNamespacedCustomObject({ group: G, version: V, namespace: 'cn', plural: VMS, name: 'a1', body: { ...cur, metadata: { ...cur.metadata, labels: { app: 'y' } } } });
    expect(ok.metadata.labels).toEqual({ app: 'y' });

    const invalid = await rejects(crd.createNamespacedCustomObject({ group: G, version: V, namespace: 'cn', plural: VMS, body: { ...vm('bad'), spec: { running: 'yes', template: {} } } }));
    expect(invalid.code).toBe(422);
    expect(statusBody(invalid).details.causes[0]).toMatchObject({ reason: 'FieldValueTypeInvalid', field: 'spec.running' });

    const cluster: any = await crd.listClusterCustomObject({ group: G, version: V, plural: VMS, labelSelector: 'app in (x,y)' });
    expect(cluster.items.map((i: any) => i.metadata.name)).toEqual(['a1', 'a2', 'a3']);
    for (const n of ['a1', 'a2', 'a3']) {
      const st2: any = await crd.deleteNamespacedCustomObject({ group: G, version: V, namespace: 'cn', plural: VMS, name: n });
      expect(st2).toMatchObject({ kind: 'Status', status: 'Success', details: { name: n, kind: 'virtualmachines' } });
    }
  });

  it('garbage-collects dependents and holds a foreground deletion until they are gone', async () => {
    const ti: any = await crd.createNamespacedCustomObject({ group: 'template.openshift.io', version: V, namespace: 'cn', plural: 'templateinstances', body: { apiVersion: 'template.openshift.io/v1', kind: 'TemplateInstance', metadata: { name: 'ti' }, spec: { template: { objects: [] } } } });
    await core.createNamespacedSecret({ namespace: 'cn', body: { metadata: { name: 'ti-params', finalizers: ['ssvirt.io/hold'], ownerReferences: [{ apiVersion: 'template.openshift.io/v1', kind: 'TemplateInstance', name: 'ti', uid: ti.metadata.uid, controller: true, blockOwnerDeletion: true }] }, stringData: { NAME: 'x' } } });
    const del: any = await crd.deleteNamespacedCustomObject({ group: 'template.openshift.io', version: V, namespace: 'cn', plural: 'templateinstances', name: 'ti', propagationPolicy: 'Foreground' });
    expect(del.metadata.finalizers).toEqual(['foregroundDeletion']);
    const held = await until('the Secret to be held by the foreground deletion', async () => {
      const s = await core.readNamespacedSecret({ namespace: 'cn', name: 'ti-params' });
      return s.metadata?.deletionTimestamp ? s : undefined;
    }, POLL);
    expect(held.metadata?.finalizers).toEqual(['ssvirt.io/hold']);
    await core.patchNamespacedSecret({ namespace: 'cn', name: 'ti-params', body: { metadata: { finalizers: null } } }, merge);
    await until('the TemplateInstance to go', async () => (await codeOf(crd.getNamespacedCustomObject({ group: 'template.openshift.io', version: V, namespace: 'cn', plural: 'templateinstances', name: 'ti' }))) === 404, POLL);
  });
});

describe('watches and informers', () => {
  it('an informer sees add, update and delete, and re-lists after a 410', async () => {
    await core.createNamespace({ body: { metadata: { name: 'inf' } } });
    const path = `/apis/${G}/${V}/namespaces/inf/${VMS}`;
    const informer = makeInformer<KubernetesObject>(kc, path, () => crd.listNamespacedCustomObject({ group: G, version: V, namespace: 'inf', plural: VMS }) as any);
    const seen: string[] = [];
    informer.on('add', (o) => seen.push(`add ${o.metadata?.name}`));
    informer.on('update', (o) => seen.push(`update ${o.metadata?.name}`));
    informer.on('delete', (o) => seen.push(`delete ${o.metadata?.name}`));
    await crd.createNamespacedCustomObject({ group: G, version: V, namespace: 'inf', plural: VMS, body: vm('i1') });
    await informer.start();
    await until('the add of i1', () => seen.includes('add i1'), POLL);
    await crd.createNamespacedCustomObject({ group: G, version: V, namespace: 'inf', plural: VMS, body: vm('i2') });
    await crd.patchNamespacedCustomObject({ group: G, version: V, namespace: 'inf', plural: VMS, name: 'i2', body: { metadata: { labels: { a: 'b' } } } }, merge);
    await crd.deleteNamespacedCustomObject({ group: G, version: V, namespace: 'inf', plural: VMS, name: 'i1' });
    await until('the delete of i1', () => seen.includes('delete i1'), POLL);
    expect(seen).toEqual(['add i1', 'add i2', 'update i2', 'delete i1']);

    // Stopped first: an injected dropWatch rule also ends open watches, and this one would take it.
    await informer.stop();
    // The next watch answers "too old" (410 ERROR event): the informer must list again and carry on.
    sim.faults.inject({ verb: 'watch', resource: VMS, dropWatch: 'gone', times: 1 });
    let lists = 0;
    const informer2 = makeInformer<KubernetesObject>(kc, path, () => { lists++; return crd.listNamespacedCustomObject({ group: G, version: V, namespace: 'inf', plural: VMS }) as any; });
    const seen2: string[] = [];
    informer2.on('add', (o) => seen2.push(`add ${o.metadata?.name}`));
    await informer2.start();
    await until('a second list', () => lists >= 2, POLL);
    await crd.createNamespacedCustomObject({ group: G, version: V, namespace: 'inf', plural: VMS, body: vm('i3') });
    await until('the add of i3', () => seen2.includes('add i3') && informer2.list().length === 2, POLL);
    await informer2.stop();
  });

  it('Watch from a too-old resourceVersion gets an ERROR event with a 410 Status, then the stream ends', async () => {
    sim.evictWatchHistory();
    const events: { type: string; obj: any }[] = [];
    const ended = new Promise<unknown>((resolve) => {
      void new Watch(kc).watch(`/apis/${G}/${V}/namespaces/inf/${VMS}`, { resourceVersion: '1', allowWatchBookmarks: true }, (type, obj) => events.push({ type, obj }), resolve);
    });
    expect(await ended).toBeNull();
    expect(events).toHaveLength(1);
    expect(events[0]!.type).toBe('ERROR');
    expect(events[0]!.obj).toMatchObject({ kind: 'Status', reason: 'Expired', code: 410 });
    expect(events[0]!.obj.message).toMatch(/^too old resource version: 1 \(\d+\)$/);
  });

  it('Watch with bookmarks and timeoutSeconds delivers events then bookmarks, and ends at the timeout', async () => {
    const list: any = await crd.listNamespacedCustomObject({ group: G, version: V, namespace: 'inf', plural: VMS });
    const types: string[] = [];
    const t0 = Date.now();
    const ended = new Promise<unknown>((resolve) => {
      void new Watch(kc).watch(`/apis/${G}/${V}/namespaces/inf/${VMS}`, { resourceVersion: list.metadata.resourceVersion, allowWatchBookmarks: true, timeoutSeconds: 1 }, (type) => types.push(type), resolve);
    });
    await new Promise((r) => setTimeout(r, 50));
    await crd.createNamespacedCustomObject({ group: G, version: V, namespace: 'inf', plural: VMS, body: vm('w1') });
    await ended;
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
    expect(types[0]).toBe('ADDED');
    expect(types.slice(1).every((t) => t === 'BOOKMARK') && types.length > 1).toBe(true);
  });
});

describe('namespace deletion', () => {
  it('stays Terminating, with the namespace controller\'s conditions, while content has finalizers', async () => {
    await core.createNamespace({ body: { metadata: { name: 'held' } } });
    await core.createNamespacedSecret({ namespace: 'held', body: { metadata: { name: 'h', finalizers: ['ssvirt.io/hold'] } } });
    await core.deleteNamespace({ name: 'held' });
    const ns = await until('the namespace condition', async () => {
      const n = await core.readNamespace({ name: 'held' });
      return n.status?.conditions?.length ? n : undefined;
    }, POLL);
    expect(ns.status?.conditions?.find((c) => c.type === 'NamespaceFinalizersRemaining')).toMatchObject({
      status: 'True', message: 'Some content in the namespace has finalizers remaining: ssvirt.io/hold in 1 resource instances',
    });
    await core.patchNamespacedSecret({ namespace: 'held', name: 'h', body: { metadata: { finalizers: null } } }, merge);
    await until('namespace held to go', async () => (await codeOf(core.readNamespace({ name: 'held' }))) === 404, POLL);
  });

  it('passes through Terminating, refuses new content with 403, empties the namespace and removes it', async () => {
    await core.createNamespace({ body: { metadata: { name: 'doomed' } } });
    await crd.createNamespacedCustomObject({ group: G, version: V, namespace: 'doomed', plural: VMS, body: vm('v') });
    const d = await core.deleteNamespace({ name: 'doomed' }) as V1Namespace;
    expect(d.status?.phase).toBe('Terminating');
    const e = await rejects(crd.createNamespacedCustomObject({ group: G, version: V, namespace: 'doomed', plural: VMS, body: vm('late') }));
    expect(e.code).toBe(403);
    expect(statusBody(e).details.causes[0].reason).toBe('NamespaceTerminating');
    await until('namespace doomed to go', async () => (await codeOf(core.readNamespace({ name: 'doomed' }))) === 404, POLL);
    const vms: any = await crd.listClusterCustomObject({ group: G, version: V, plural: VMS, fieldSelector: 'metadata.namespace=doomed' });
    expect(vms.items).toEqual([]);
  });
});

describe('HTTPS', () => {
  it('client-node trusts the self-signed certificate from the kubeconfig', async () => {
    const tls = await startSimulator({ tls: true });
    try {
      expect(tls.url).toMatch(/^https:/);
      const api = tls.kubeConfig().makeApiClient(CoreV1Api);
      const names = (await api.listNamespace()).items.map((n) => n.metadata?.name);
      expect(names).toEqual(['default', 'kube-node-lease', 'kube-public', 'kube-system']);
      await api.createNamespace({ body: { metadata: { name: 'over-tls' } } });
      expect((await api.readNamespace({ name: 'over-tls' })).metadata?.name).toBe('over-tls');
    } finally {
      await tls.stop();
    }
  });
});
