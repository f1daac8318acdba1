import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../index.ts';

let sim: Simulator;
const TI = '/apis/template.openshift.io/v1/namespaces/p/templateinstances';

async function call(token: string, method: string, p: string, body?: unknown): Promise<{ code: number; json: any }> {
  const r = await fetch(sim.url + p, {
    method, headers: { Authorization: `Bearer ${token}`, 'Content-Type': method === 'PATCH' ? 'application/merge-patch+json' : 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { code: r.status, json: await r.json() };
}
const admin = (method: string, p: string, body?: unknown) => call(sim.token, method, p, body);
const instance = (name: string, requester?: unknown) => ({
  apiVersion: 'template.openshift.io/v1', kind: 'TemplateInstance', metadata: { name },
  spec: { template: { metadata: { name: 't' }, objects: [] }, ...(requester ? { requester } : {}) },
});

let maker: string;
let assigner: string;

beforeAll(async () => {
  sim = await startSimulator({ templateInstanceAdmission: true });
  await admin('POST', '/api/v1/namespaces', { metadata: { name: 'p' } });
  const rules = [{ apiGroups: ['template.openshift.io'], resources: ['templateinstances'], verbs: ['create', 'get', 'update', 'patch'] }];
  await admin('POST', '/apis/rbac.authorization.k8s.io/v1/clusterroles', { metadata: { name: 'ti-maker' }, rules });
  await admin('POST', '/apis/rbac.authorization.k8s.io/v1/clusterroles', { metadata: { name: 'ti-assigner' },
    rules: [...rules, { apiGroups: ['template.openshift.io'], resources: ['templateinstances'], verbs: ['assign'] }] });
  for (const n of ['maker', 'assigner']) {
    await admin('POST', '/api/v1/namespaces/p/serviceaccounts', { metadata: { name: n } });
    await admin('POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/p/rolebindings', { metadata: { name: n },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: `ti-${n}` }, subjects: [{ kind: 'ServiceAccount', name: n }] });
  }
  maker = sim.serviceAccountToken('p', 'maker');
  assigner = sim.serviceAccountToken('p', 'assigner');
});
afterAll(async () => { await sim.stop(); });

describe('TemplateInstance admission', () => {
  it('fills spec.requester from the caller', async () => {
    const kc = new KubeConfig();
    kc.loadFromFile(sim.kubeconfigFor(maker));
    const created = await kc.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
      group: 'template.openshift.io', version: 'v1', namespace: 'p', plural: 'templateinstances', body: instance('mine'),
    }) as { spec: { requester: { username: string; groups: string[] } } };
    expect(created.spec.requester.username).toBe('system:serviceaccount:p:maker');
    expect(created.spec.requester.groups).toEqual(['system:serviceaccounts', 'system:serviceaccounts:p', 'system:authenticated']);
  });

  it('refuses another requester without assign (422) and allows it with assign', async () => {
    const no = await call(maker, 'POST', TI, instance('theirs', { username: 'alice' }));
    expect(no.code).toBe(422);
    expect(no.json.message).toBe('TemplateInstance.template.openshift.io "theirs" is invalid: spec.impersonateUser: Forbidden: impersonation forbidden');
    expect((await call(maker, 'POST', TI, instance('same', { username: 'system:serviceaccount:p:maker' }))).code).toBe(201);
    const yes = await call(assigner, 'POST', TI, instance('theirs', { username: 'alice' }));
    expect(yes.code).toBe(201);
    expect(yes.json.spec.requester.username).toBe('alice');
  });

  it('keeps spec immutable on update and patch; metadata and status writes still go through', async () => {
    const cur = await call(maker, 'GET', `${TI}/mine`);
    const put = await call(maker, 'PUT', `${TI}/mine`, { ...cur.json, spec: { ...cur.json.spec, requester: { username: 'bob' } } });
    expect(put.code).toBe(422);
    expect(put.json.message).toBe('TemplateInstance.template.openshift.io "mine" is invalid: spec: Invalid value: "object": field is immutable');
    const patch = await call(maker, 'PATCH', `${TI}/mine`, { spec: { template: { metadata: { name: 'other' } } } });
    expect(patch.code).toBe(422);
    expect((await call(maker, 'PATCH', `${TI}/mine`, { metadata: { labels: { a: 'b' } } })).code).toBe(200);
    expect((await admin('PATCH', `${TI}/mine/status`, { status: { conditions: [{ type: 'Ready', status: 'True' }] } })).code).toBe(200);
  });
});
