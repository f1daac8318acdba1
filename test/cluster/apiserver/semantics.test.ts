/**
 * The simulator's building blocks on their own (selectors, patches, server-side apply) and the
 * smaller REST behaviours through client-node: leases, events, limit ranges, dry runs, generateName,
 * name validation, apply conflicts, orphan deletion, Table output.
 */
import { CoordinationV1Api, CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions, type ApiException } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../index.ts';
import { ApiError } from './errors.ts';
import { apply } from './fields.ts';
import { jsonPatch, mergePatch, strategicMergePatch } from './patch.ts';
import { matchFields, matchLabels, parseFieldSelector, parseLabelSelector } from './selectors.ts';

function thrown(fn: () => unknown): ApiError {
  try { fn(); } catch (e) { return e as ApiError; }
  throw new Error('expected a throw');
}

describe('selectors', () => {
  it('matches equality and set requirements', () => {
    const l = { app: 'x', color: 'red' };
    const cases: [string, boolean][] = [
      ['app=x', true], ['app==x', true], ['app!=x', false], ['app in (x,y)', true], ['app notin (x)', false],
      ['color', true], ['!color', false], ['!tier', true], ['app=x,color=blue', false], ['tier!=db', true],
    ];
    for (const [s, want] of cases) expect(matchLabels(parseLabelSelector(s), l), s).toBe(want);
  });

  it('rejects malformed selectors with the apiserver messages', () => {
    expect(thrown(() => parseLabelSelector('app in (x')).status.message).toBe("unable to parse requirement: found '', expected: ',' or ')'");
    expect(thrown(() => parseLabelSelector('app in x')).status.message).toBe("unable to parse requirement: found 'x', expected: '('");
    expect(thrown(() => parseLabelSelector('app x')).code).toBe(400);
    expect(thrown(() => parseFieldSelector('spec.runStrategy=Halted', ['metadata.name'])).status.message).toBe('field label not supported: spec.runStrategy');
    const f = parseFieldSelector('metadata.name=a,metadata.namespace!=b', ['metadata.name', 'metadata.namespace']);
    expect(matchFields(f, { metadata: { name: 'a', namespace: 'c' } })).toBe(true);
    expect(matchFields(f, { metadata: { name: 'a', namespace: 'b' } })).toBe(false);
  });
});

describe('patches', () => {
  it('merge patch deletes with null and replaces lists', () => {
    expect(mergePatch({ a: { b: 1, c: 2 }, l: [1, 2] }, { a: { b: null, d: 3 }, l: [3] })).toEqual({ a: { c: 2, d: 3 }, l: [3] });
  });

  it('JSON patch handles ~1 escapes, test and errors', () => {
    expect(jsonPatch({ metadata: { labels: {} } }, [{ op: 'add', path: '/metadata/labels/a~1b', value: 'x' }])).toEqual({ metadata: { labels: { 'a/b': 'x' } } });
    expect(thrown(() => jsonPatch({ a: 1 }, [{ op: 'test', path: '/a', value: 2 }])).code).toBe(422);
    expect(thrown(() => jsonPatch({ a: 1 }, [{ op: 'replace', path: '/b', value: 2 }])).code).toBe(422);
  });

  it('strategic merge patch merges keyed lists and honours $patch', () => {
    const owner = (uid: string, name: string) => ({ uid, name });
    const out = strategicMergePatch(
      { metadata: { finalizers: ['a'], ownerReferences: [owner('1', 'x'), owner('2', 'y')] }, spec: { hard: { cpu: '1' } } },
      { metadata: { finalizers: ['b'], ownerReferences: [{ uid: '2', name: 'z' }, { uid: '1', $patch: 'delete' }] }, spec: { $patch: 'replace', hard: { memory: '1Gi' } } },
    );
    expect(out).toEqual({ metadata: { finalizers: ['a', 'b'], ownerReferences: [owner('2', 'z')] }, spec: { hard: { memory: '1Gi' } } });
  });
});

describe('server-side apply', () => {
  const live = {
    apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q', managedFields: [
      { manager: 'ssvirt', operation: 'Apply', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:hard': { 'f:requests.cpu': {}, 'f:pods': {} } } } },
      { manager: 'kubectl', operation: 'Update', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:hard': { '.': {}, 'f:requests.memory': {} } } } },
    ] },
    spec: { hard: { 'requests.cpu': '4', pods: '10', 'requests.memory': '1Gi' } },
  };
  it('refuses to take a field another manager set, unless forced', () => {
    const e = thrown(() => apply(live, { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q' }, spec: { hard: { 'requests.memory': '2Gi' } } }, 'ssvirt', 'v1', false));
    expect(e.code).toBe(409);
    expect(e.status.details?.causes).toEqual([{ reason: 'FieldManagerConflict', message: 'conflict with "kubectl" using v1: .spec.hard.requests.memory', field: '.spec.hard.requests.memory' }]);
    const forced = apply(live, { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q' }, spec: { hard: { 'requests.memory': '2Gi' } } }, 'ssvirt', 'v1', true);
    // Fields ssvirt applied before and no longer applies are removed.
    expect(forced.spec.hard).toEqual({ 'requests.memory': '2Gi' });
  });

  it('is a no-op for an identical re-apply', () => {
    const same = apply(live, { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q' }, spec: { hard: { 'requests.cpu': '4', pods: '10' } } }, 'ssvirt', 'v1', false);
    expect(same).toBe(live);
  });
});

describe('REST details through client-node', () => {
  let sim: Simulator;
  let core: CoreV1Api;
  let crd: CustomObjectsApi;
  beforeAll(async () => {
    sim = await startSimulator({ gcDelayMs: 10 });
    const kc = sim.kubeConfig();
    core = kc.makeApiClient(CoreV1Api);
    crd = kc.makeApiClient(CustomObjectsApi);
    await core.createNamespace({ body: { metadata: { name: 'rd' } } });
  });
  afterAll(async () => { await sim?.stop(); });
  const code = async (p: Promise<unknown>) => { try { await p; return 200; } catch (e) { return (e as ApiException<unknown>).code; } };

  it('leases support create and optimistic update (leader election)', async () => {
    const api = sim.kubeConfig().makeApiClient(CoordinationV1Api);
    const l = await api.createNamespacedLease({ namespace: 'rd', body: { metadata: { name: 'ssvirt-leader' }, spec: { holderIdentity: 'a', leaseDurationSeconds: 15 } } });
    const l2 = await api.replaceNamespacedLease({ namespace: 'rd', name: 'ssvirt-leader', body: { ...l, spec: { ...l.spec, holderIdentity: 'b' } } });
    expect(l2.spec?.holderIdentity).toBe('b');
    expect(await code(api.replaceNamespacedLease({ namespace: 'rd', name: 'ssvirt-leader', body: l }))).toBe(409);
  });

  it('events and limit ranges are stored and listed', async () => {
    await core.createNamespacedEvent({ namespace: 'rd', body: { metadata: { name: 'e1' }, involvedObject: { kind: 'VirtualMachine', name: 'vm' }, reason: 'Started', type: 'Normal' } });
    await core.createNamespacedLimitRange({ namespace: 'rd', body: { metadata: { name: 'lr' }, spec: { limits: [{ type: 'Container', _default: { cpu: '1' } } as any] } } });
    expect((await core.listNamespacedEvent({ namespace: 'rd', fieldSelector: 'reason=Started' })).items).toHaveLength(1);
    expect((await core.listNamespacedLimitRange({ namespace: 'rd' })).items).toHaveLength(1);
  });

  it('generateName, name validation, missing namespace, dry run', async () => {
    const s = await core.createNamespacedSecret({ namespace: 'rd', body: { metadata: { generateName: 'gen-' } } });
    expect(s.metadata?.name).toMatch(/^gen-[a-z0-9]{5}$/);
    expect(await code(core.createNamespace({ body: { metadata: { name: 'Bad_Name' } } }))).toBe(422);
    expect(await code(core.createNamespacedSecret({ namespace: 'nowhere', body: { metadata: { name: 'x' } } }))).toBe(404);
    await core.createNamespacedSecret({ namespace: 'rd', body: { metadata: { name: 'dry' } }, dryRun: 'All' });
    expect(await code(core.readNamespacedSecret({ namespace: 'rd', name: 'dry' }))).toBe(404);
    expect(await code(core.createNamespacedSecret({ namespace: 'rd', body: { metadata: { name: 'bad label', labels: { a: 'b' } } } }))).toBe(422);
    expect(await code(core.createNamespacedSecret({ namespace: 'rd', body: { metadata: { name: 'ok', labels: { a: 'not ok' } } } }))).toBe(422);
  });

  it('orphan deletion strips the owner reference and keeps the dependent', async () => {
    const owner: any = await crd.createNamespacedCustomObject({ group: 'template.openshift.io', version: 'v1', namespace: 'rd', plural: 'templateinstances', body: { apiVersion: 'template.openshift.io/v1', kind: 'TemplateInstance', metadata: { name: 'o' }, spec: {} } });
    await core.createNamespacedSecret({ namespace: 'rd', body: { metadata: { name: 'dep', ownerReferences: [{ apiVersion: 'template.openshift.io/v1', kind: 'TemplateInstance', name: 'o', uid: owner.metadata.uid }] } } });
    await crd.deleteNamespacedCustomObject({ group: 'template.openshift.io', version: 'v1', namespace: 'rd', plural: 'templateinstances', name: 'o', propagationPolicy: 'Orphan' });
    for (let i = 0; i < 100 && (await code(crd.getNamespacedCustomObject({ group: 'template.openshift.io', version: 'v1', namespace: 'rd', plural: 'templateinstances', name: 'o' }))) === 200; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    const dep = await core.readNamespacedSecret({ namespace: 'rd', name: 'dep' });
    expect(dep.metadata?.ownerReferences).toBeUndefined();
  });

  it('apply conflicts answer 409 with FieldManagerConflict causes', async () => {
    const body = { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'vq' }, spec: { hard: { 'requests.cpu': '4' } } };
    await core.patchNamespacedResourceQuota({ namespace: 'rd', name: 'vq', body, fieldManager: 'ssvirt' }, setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply));
    try {
      await core.patchNamespacedResourceQuota({ namespace: 'rd', name: 'vq', body: { ...body, spec: { hard: { 'requests.cpu': '8' } } }, fieldManager: 'other' }, setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply));
      throw new Error('expected 409');
    } catch (e) {
      const err = e as ApiException<string>;
      expect(err.code).toBe(409);
      expect(JSON.parse(err.body)).toMatchObject({ reason: 'Conflict', message: 'Apply failed with 1 conflict: conflict with "ssvirt": .spec.hard.requests.cpu', details: { causes: [{ reason: 'FieldManagerConflict', field: '.spec.hard.requests.cpu' }] } });
    }
  });

  it('applies a Namespace (create by apply, then drop an annotation it no longer applies)', async () => {
    const ssa = setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply);
    const ns = (annotations: Record<string, string>) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'applied', labels: { 'app.kubernetes.io/managed-by': 'ssvirt' }, annotations } });
    const first = await core.patchNamespace({ name: 'applied', body: ns({ a: '1', b: '2' }), fieldManager: 'ssvirt', force: true }, ssa);
    expect(first.metadata?.labels).toEqual({ 'app.kubernetes.io/managed-by': 'ssvirt', 'kubernetes.io/metadata.name': 'applied' });
    expect(first.status?.phase).toBe('Active');
    const second = await core.patchNamespace({ name: 'applied', body: ns({ a: '1' }), fieldManager: 'ssvirt', force: true }, ssa);
    expect(second.metadata?.annotations).toEqual({ a: '1' });
    expect(second.metadata?.labels?.['kubernetes.io/metadata.name']).toBe('applied');
  });

  it('answers the Table form kubectl asks for', async () => {
    await crd.createNamespacedCustomObject({ group: 'kubevirt.io', version: 'v1', namespace: 'rd', plural: 'virtualmachines', body: { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name: 'tv' }, spec: { runStrategy: 'Halted', template: { spec: {} } } } });
    const r = await fetch(`${sim.url}/apis/kubevirt.io/v1/namespaces/rd/virtualmachines`, { headers: { Authorization: `Bearer ${sim.token}`, Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' } });
    const t = await r.json() as any;
    expect(t.kind).toBe('Table');
    expect(t.columnDefinitions.map((c: any) => c.name)).toEqual(['Name', 'Age', 'Status', 'Ready']);
    expect(t.rows[0].cells[0]).toBe('tv');
    expect(t.rows[0].object.kind).toBe('PartialObjectMetadata');
  });
});
