import { CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../index.ts';

let sim: Simulator;
const RBAC = '/apis/rbac.authorization.k8s.io/v1';

async function call(token: string, method: string, p: string, body?: unknown): Promise<{ code: number; json: any }> {
  const r = await fetch(sim.url + p, {
    method, headers: { Authorization: `Bearer ${token}`, 'Content-Type': method === 'PATCH' ? 'application/merge-patch+json' : 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  return { code: r.status, json: text.startsWith('{') ? JSON.parse(text) : text };
}
const admin = (method: string, p: string, body?: unknown) => call(sim.token, method, p, body);

async function serviceAccount(ns: string, name: string): Promise<string> {
  expect((await admin('POST', `/api/v1/namespaces/${ns}/serviceaccounts`, { metadata: { name } })).code).toBe(201);
  return sim.serviceAccountToken(ns, name);
}

beforeAll(async () => {
  sim = await startSimulator();
  for (const ns of ['a', 'b']) await admin('POST', '/api/v1/namespaces', { metadata: { name: ns } });
});
afterAll(async () => { await sim.stop(); });

describe('RBAC authorizer', () => {
  it('refuses a ServiceAccount without bindings with the exact message, discovery stays open', async () => {
    const tok = await serviceAccount('a', 'nobody');
    const kc = new KubeConfig();
    kc.loadFromFile(sim.kubeconfigFor(tok));
    const err = await kc.makeApiClient(CoreV1Api).listNamespacedSecret({ namespace: 'a' }).catch((e: unknown) => e) as { code: number; body: string };
    expect(err.code).toBe(403);
    expect(JSON.parse(err.body).message).toBe('secrets is forbidden: User "system:serviceaccount:a:nobody" cannot list resource "secrets" in API group "" in the namespace "a"');
    const get = await call(tok, 'GET', '/apis/kubevirt.io/v1/namespaces/a/virtualmachines/x');
    expect(get.json.message).toBe('virtualmachines.kubevirt.io "x" is forbidden: User "system:serviceaccount:a:nobody" cannot get resource "virtualmachines" in API group "kubevirt.io" in the namespace "a"');
    expect((await call(tok, 'GET', '/apis')).code).toBe(200);
    expect((await call(tok, 'GET', '/version')).code).toBe(200);
  });

  it('a ClusterRoleBinding grants exactly its rules', async () => {
    const tok = await serviceAccount('a', 'vmops');
    await admin('POST', `${RBAC}/clusterroles`, { metadata: { name: 'vmops' }, rules: [
      { apiGroups: ['kubevirt.io'], resources: ['virtualmachines'], verbs: ['get', 'list'] },
      { apiGroups: ['subresources.kubevirt.io'], resources: ['virtualmachines/start'], verbs: ['update'] },
      { apiGroups: [''], resources: ['secrets'], verbs: ['get'], resourceNames: ['allowed'] },
      { apiGroups: ['template.openshift.io'], resources: ['*'], verbs: ['*'] },
    ] });
    await admin('POST', `${RBAC}/clusterrolebindings`, { metadata: { name: 'vmops' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'vmops' },
      subjects: [{ kind: 'ServiceAccount', name: 'vmops', namespace: 'a' }] });
    const kc = new KubeConfig();
    kc.loadFromFile(sim.kubeconfigFor(tok));
    const co = kc.makeApiClient(CustomObjectsApi);
    await expect(co.listNamespacedCustomObject({ group: 'kubevirt.io', version: 'v1', namespace: 'b', plural: 'virtualmachines' })).resolves.toBeTruthy();
    const del = await call(tok, 'DELETE', '/apis/kubevirt.io/v1/namespaces/b/virtualmachines/x');
    expect(del.code).toBe(403);
    expect((await call(tok, 'PUT', '/apis/kubevirt.io/v1/namespaces/b/virtualmachines/x/status', {})).code).toBe(403);
    // Allowed through RBAC, then the handler's own answer (no such VM).
    expect((await call(tok, 'PUT', '/apis/subresources.kubevirt.io/v1/namespaces/b/virtualmachines/x/start', {})).code).toBe(404);
    const stop = await call(tok, 'PUT', '/apis/subresources.kubevirt.io/v1/namespaces/b/virtualmachines/x/stop', {});
    expect(stop.json.message).toBe('virtualmachines/stop.subresources.kubevirt.io "x" is forbidden: User "system:serviceaccount:a:vmops" cannot update resource "virtualmachines/stop" in API group "subresources.kubevirt.io" in the namespace "b"');
    expect((await call(tok, 'GET', '/api/v1/namespaces/b/secrets/allowed')).code).toBe(404);
    expect((await call(tok, 'GET', '/api/v1/namespaces/b/secrets/other')).code).toBe(403);
    expect((await call(tok, 'GET', '/api/v1/namespaces/b/secrets')).code).toBe(403);
    expect((await call(tok, 'GET', '/apis/template.openshift.io/v1/namespaces/b/templates')).code).toBe(200);
    // Editing the role changes the decision at once (the cache is dropped).
    await admin('PATCH', `${RBAC}/clusterroles/vmops`, { rules: [] });
    expect((await call(tok, 'GET', '/apis/template.openshift.io/v1/namespaces/b/templates')).code).toBe(403);
  });

  it('a RoleBinding grants only in its namespace', async () => {
    const tok = await serviceAccount('a', 'local');
    await admin('POST', `${RBAC}/namespaces/a/roles`, { metadata: { name: 'secrets' }, rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['list'] }] });
    await admin('POST', `${RBAC}/namespaces/a/rolebindings`, { metadata: { name: 'local' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'secrets' },
      subjects: [{ kind: 'ServiceAccount', name: 'local' }] });
    expect((await call(tok, 'GET', '/api/v1/namespaces/a/secrets')).code).toBe(200);
    const other = await call(tok, 'GET', '/api/v1/namespaces/b/secrets');
    expect(other.code).toBe(403);
    const all = await call(tok, 'GET', '/api/v1/secrets');
    expect(all.json.message).toBe('secrets is forbidden: User "system:serviceaccount:a:local" cannot list resource "secrets" in API group "" at the cluster scope');
  });

  it('TokenRequest issues a token that ends with its ServiceAccount', async () => {
    expect((await admin('POST', '/api/v1/namespaces/a/serviceaccounts/missing/token', { spec: {} })).code).toBe(404);
    await admin('POST', '/api/v1/namespaces/a/serviceaccounts', { metadata: { name: 'short' } });
    const tr = await admin('POST', '/api/v1/namespaces/a/serviceaccounts/short/token', { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: {} });
    expect(tr.code).toBe(201);
    expect(tr.json.kind).toBe('TokenRequest');
    expect(Date.parse(tr.json.status.expirationTimestamp)).toBeGreaterThan(Date.now());
    const tok = tr.json.status.token as string;
    expect((await call(tok, 'GET', '/api')).code).toBe(200);
    expect((await admin('DELETE', '/api/v1/namespaces/a/serviceaccounts/short')).code).toBe(200);
    expect((await call(tok, 'GET', '/api')).code).toBe(401);
  });

  it('SubjectAccessReview answers for a user and groups; the caller needs create on it', async () => {
    const sar = (spec: unknown, token = sim.token) => call(token, 'POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews',
      { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec });
    await admin('POST', `${RBAC}/clusterroles`, { metadata: { name: 'sar-reader' }, rules: [{ apiGroups: ['kubevirt.io'], resources: ['virtualmachines'], verbs: ['get'] }] });
    await admin('POST', `${RBAC}/clusterrolebindings`, { metadata: { name: 'sar-readers' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'sar-reader' },
      subjects: [{ kind: 'Group', name: 'readers' }, { kind: 'ServiceAccount', name: 'robot', namespace: 'b' }] });
    const ra = { namespace: 'a', verb: 'get', group: 'kubevirt.io', resource: 'virtualmachines', name: 'x' };
    const yes = await sar({ user: 'alice', groups: ['readers'], resourceAttributes: ra });
    expect(yes.code).toBe(201);
    expect(yes.json.spec.user).toBe('alice');
    expect(yes.json.status).toEqual({ allowed: true, reason: 'RBAC: allowed by ClusterRoleBinding "sar-readers" of ClusterRole "sar-reader" to Group "readers"' });
    const sa = await sar({ user: 'system:serviceaccount:b:robot', groups: [], resourceAttributes: ra });
    expect(sa.json.status.reason).toBe('RBAC: allowed by ClusterRoleBinding "sar-readers" of ClusterRole "sar-reader" to ServiceAccount "robot/b"');
    const no = await sar({ user: 'alice', groups: ['readers'], resourceAttributes: { ...ra, verb: 'delete' } });
    expect(no.json.status.allowed).toBe(false);
    expect(no.json.status.reason).toBeUndefined();
    expect((await sar({ user: 'bob', groups: [], resourceAttributes: ra })).json.status.allowed).toBe(false);
    expect((await sar({ user: 'bob', groups: ['system:authenticated'], nonResourceAttributes: { path: '/apis', verb: 'get' } })).json.status.allowed).toBe(true);
    const refused = await sar({ user: 'alice', resourceAttributes: ra }, sim.userToken);
    expect(refused.code).toBe(403);
    expect(refused.json.message).toBe('subjectaccessreviews.authorization.k8s.io is forbidden: User "test-user" cannot create resource "subjectaccessreviews" in API group "authorization.k8s.io" at the cluster scope');
    // Every authenticated user may ask about itself.
    const self = await call(sim.userToken, 'POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', { spec: { resourceAttributes: ra } });
    expect(self.code).toBe(201);
    expect(self.json.status.allowed).toBe(false);
    const groups = await admin('GET', '/apis');
    expect(groups.json.groups.map((g: { name: string }) => g.name)).toEqual(expect.arrayContaining(['authorization.k8s.io', 'rbac.authorization.k8s.io']));
  });

  it('the admin token and the user token behave as before', async () => {
    expect((await admin('GET', '/api/v1/namespaces/a/secrets')).code).toBe(200);
    const u = await call(sim.userToken, 'GET', '/api/v1/namespaces/a/secrets');
    expect(u.json.message).toBe('secrets is forbidden: User "test-user" cannot list resource "secrets" in API group "" in the namespace "a"');
    expect((await call(sim.userToken, 'GET', '/apis')).code).toBe(200);
    expect((await fetch(`${sim.url}/version`)).status).toBe(200);
    expect((await fetch(`${sim.url}/api`)).status).toBe(401);
  });
});
