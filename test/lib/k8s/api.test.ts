/**
 * KubeApi against the Kubernetes API simulator: every call bounded in time, counted by verb,
 * resource and outcome (never by object), failures classified; raw() for what the typed
 * clients do not cover, with the kubeconfig's authentication and TLS.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { KubeConfig } from '@kubernetes/client-node';
import { Registry } from 'prom-client';
import { startSimulator, type Simulator } from '#test/cluster/index.ts';
import { KubeApi } from '#lib/k8s/api.ts';
import { K8sError } from '#lib/k8s/errors.ts';
import { K8sMetrics } from '#lib/k8s/metrics.ts';

let sim: Simulator;
let registry: Registry;
let api: KubeApi;

beforeAll(async () => {
  sim = await startSimulator({ tls: true });
  const core = new KubeApi(sim.kubeConfig(), { timeoutMs: 5_000 }).core;
  await core.createNamespace({ body: { metadata: { name: 'api-test' } } });
});
afterAll(async () => {
  await sim?.stop();
});
beforeEach(() => {
  sim.faults.clear();
  registry = new Registry();
  api = new KubeApi(sim.kubeConfig(), { timeoutMs: 2_000, metrics: new K8sMetrics(registry) });
});

/** The call counter's samples, as label sets with values. */
async function calls(): Promise<{ verb?: string; resource?: string; outcome?: string; n: number }[]> {
  const m = await registry.getSingleMetric('ssvirt_kubernetes_calls_total')!.get();
  return m.values.map((v) => ({ ...(v.labels as Record<string, string>), n: v.value }));
}

/** The error a promise rejects with. */
async function failure(p: Promise<unknown>): Promise<K8sError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(K8sError);
    return e as K8sError;
  }
  throw new Error('expected a failure');
}

const readNs = (name: string, o?: { timeoutMs?: number }) => api.call('get', 'namespaces', (opt) => api.core.readNamespace({ name }, opt), o);

describe('KubeApi.call', () => {
  it('returns the result and counts a success', async () => {
    const ns = await readNs('api-test');
    expect(ns.metadata?.name).toBe('api-test');
    expect(await calls()).toEqual([{ verb: 'get', resource: 'namespaces', outcome: 'success', n: 1 }]);
  });

  it('classifies a 404 with the API server reason and message, and counts it as notFound', async () => {
    const e = await failure(readNs('absent'));
    expect(e).toMatchObject({ kind: 'notFound', status: 404, reason: 'NotFound', message: 'namespaces "absent" not found' });
    expect(await calls()).toEqual([{ verb: 'get', resource: 'namespaces', outcome: 'notFound', n: 1 }]);
  });

  it('classifies a create of an existing object as alreadyExists', async () => {
    const e = await failure(api.call('create', 'namespaces', (opt) => api.core.createNamespace({ body: { metadata: { name: 'api-test' } } }, opt)));
    expect(e).toMatchObject({ kind: 'alreadyExists', status: 409, reason: 'AlreadyExists' });
  });

  it('classifies injected server failures', async () => {
    for (const [status, kind] of [[503, 'unavailable'], [500, 'unavailable'], [429, 'unavailable'], [409, 'conflict'], [403, 'forbidden']] as const) {
      sim.faults.inject({ verb: 'get', resource: 'namespaces', status, times: 1 });
      expect(await failure(readNs('api-test')), String(status)).toMatchObject({ kind, status });
    }
    const byOutcome = Object.fromEntries((await calls()).map((c) => [c.outcome, c.n]));
    expect(byOutcome).toEqual({ unavailable: 3, conflict: 1, forbidden: 1 });
  });

  it('gives up after the timeout with a timeout error, per call or by default', async () => {
    sim.faults.inject({ verb: 'get', resource: 'namespaces', latencyMs: 1_500, times: 1 });
    const t0 = Date.now();
    expect(await failure(readNs('api-test', { timeoutMs: 150 }))).toMatchObject({ kind: 'timeout', status: undefined });
    expect(Date.now() - t0).toBeLessThan(1_200);

    const quick = new KubeApi(sim.kubeConfig(), { timeoutMs: 150, metrics: new K8sMetrics(registry = new Registry()) });
    sim.faults.inject({ verb: 'list', resource: 'secrets', latencyMs: 1_500, times: 1 });
    expect(await failure(quick.call('list', 'secrets', (opt) => quick.core.listNamespacedSecret({ namespace: 'api-test' }, opt)))).toMatchObject({ kind: 'timeout' });
    expect(await calls()).toEqual([{ verb: 'list', resource: 'secrets', outcome: 'timeout', n: 1 }]);
  });

  it('classifies a refused connection as unavailable', async () => {
    sim.faults.inject({ outage: true });
    try {
      const e = await failure(readNs('api-test'));
      expect(e).toMatchObject({ kind: 'unavailable', status: undefined });
      expect(e.message).toMatch(/unreachable/);
    } finally {
      sim.faults.clear();
    }
  });

  it('classifies a 403 of a user without rights as forbidden, with the API server message', async () => {
    const admin = sim.kubeConfig();
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: admin.clusters, users: [{ name: 'nobody', token: sim.userToken }],
      contexts: [{ name: 'c', cluster: admin.clusters[0]!.name, user: 'nobody' }], currentContext: 'c',
    });
    const weak = new KubeApi(kc, { timeoutMs: 2_000 });
    const e = await failure(weak.call('get', 'namespaces', (opt) => weak.core.readNamespace({ name: 'api-test' }, opt)));
    expect(e).toMatchObject({ kind: 'forbidden', status: 403, reason: 'Forbidden' });
    expect(e.message).toContain('cannot get resource "namespaces"');
  });

  it('sends the requested patch content type', async () => {
    // client-node defaults to JSON Patch; a merge patch body only works with the header set.
    const out = await api.call('patch', 'namespaces', (opt) =>
      api.core.patchNamespace({ name: 'api-test', body: { metadata: { labels: { patched: 'yes' } } } }, opt), { contentType: 'application/merge-patch+json' });
    expect(out.metadata?.labels?.patched).toBe('yes');
  });

  it('labels metrics with verbs, resources and outcomes only, never object names', async () => {
    const names = ['secret-alpha-7f3a', 'secret-beta-9c1d'];
    for (const name of names) {
      await api.call('create', 'secrets', (opt) => api.core.createNamespacedSecret({ namespace: 'api-test', body: { metadata: { name }, stringData: { a: 'b' } } }, opt));
      await api.call('get', 'secrets', (opt) => api.core.readNamespacedSecret({ namespace: 'api-test', name }, opt));
    }
    await failure(api.call('get', 'secrets', (opt) => api.core.readNamespacedSecret({ namespace: 'api-test', name: 'secret-gamma-0000' }, opt)));
    expect(await calls()).toEqual(expect.arrayContaining([
      { verb: 'create', resource: 'secrets', outcome: 'success', n: 2 },
      { verb: 'get', resource: 'secrets', outcome: 'success', n: 2 },
      { verb: 'get', resource: 'secrets', outcome: 'notFound', n: 1 },
    ]));
    const text = await registry.metrics();
    for (const s of [...names, 'secret-gamma', 'api-test']) expect(text).not.toContain(s);
    const hist = await registry.getSingleMetric('ssvirt_kubernetes_call_seconds')!.get();
    const labelKeys = new Set(hist.values.flatMap((v) => Object.keys(v.labels)));
    expect([...labelKeys].sort()).toEqual(['le', 'resource', 'verb']);
    const count = hist.values.find((v) => (v as { metricName?: string }).metricName === 'ssvirt_kubernetes_call_seconds_count' && v.labels.verb === 'get');
    expect(count?.value).toBe(3);
  });

  it('works without metrics', async () => {
    const plain = new KubeApi(sim.kubeConfig(), { timeoutMs: 2_000 });
    expect((await plain.call('get', 'namespaces', (opt) => plain.core.readNamespace({ name: 'api-test' }, opt))).metadata?.name).toBe('api-test');
    await expect(plain.call('get', 'namespaces', (opt) => plain.core.readNamespace({ name: 'absent' }, opt))).rejects.toMatchObject({ kind: 'notFound' });
  });
});

describe('KubeApi.raw', () => {
  it('reads discovery over HTTPS with the kubeconfig CA and token, and counts the call', async () => {
    const groups = await api.raw<{ groups: { name: string }[] }>('get', 'discovery', 'GET', '/apis');
    expect(groups.groups.map((g) => g.name)).toEqual(expect.arrayContaining(['kubevirt.io', 'subresources.kubevirt.io', 'template.openshift.io']));
    expect(await calls()).toEqual([{ verb: 'get', resource: 'discovery', outcome: 'success', n: 1 }]);
  });

  it('sends a JSON body, and a patch with the given content type', async () => {
    const created = await api.raw<{ metadata: { name: string; uid: string } }>('create', 'secrets', 'POST', '/api/v1/namespaces/api-test/secrets', {
      metadata: { name: 'raw-secret' }, stringData: { k: 'v' },
    });
    expect(created.metadata.name).toBe('raw-secret');
    expect(created.metadata.uid).toBeTruthy();
    const patched = await api.raw<{ metadata: { labels: Record<string, string> } }>('patch', 'secrets', 'PATCH', '/api/v1/namespaces/api-test/secrets/raw-secret',
      { metadata: { labels: { x: 'y' } } }, { contentType: 'application/merge-patch+json' });
    expect(patched.metadata.labels).toEqual({ x: 'y' });
  });

  it('classifies failures: Status bodies, plain-text 404s, injected errors, timeouts, outages', async () => {
    expect(await failure(api.raw('get', 'namespaces', 'GET', '/api/v1/namespaces/absent'))).toMatchObject({ kind: 'notFound', status: 404, reason: 'NotFound', message: 'namespaces "absent" not found' });
    expect(await failure(api.raw('get', 'discovery', 'GET', '/apis/nothing.example.com/v1'))).toMatchObject({ kind: 'notFound', status: 404, message: 'HTTP 404' });
    sim.faults.inject({ verb: 'get', resource: 'namespaces', status: 503, times: 1 });
    expect(await failure(api.raw('get', 'namespaces', 'GET', '/api/v1/namespaces/api-test'))).toMatchObject({ kind: 'unavailable', status: 503 });
    sim.faults.inject({ verb: 'get', resource: 'namespaces', latencyMs: 1_500, times: 1 });
    expect(await failure(api.raw('get', 'namespaces', 'GET', '/api/v1/namespaces/api-test', undefined, { timeoutMs: 150 }))).toMatchObject({ kind: 'timeout' });
    sim.faults.inject({ outage: true });
    try {
      expect(await failure(api.raw('get', 'discovery', 'GET', '/apis'))).toMatchObject({ kind: 'unavailable', status: undefined });
    } finally {
      sim.faults.clear();
    }
    const byOutcome = Object.fromEntries((await calls()).map((c) => [`${c.resource}:${c.outcome}`, c.n]));
    expect(byOutcome).toEqual({ 'namespaces:notFound': 1, 'discovery:notFound': 1, 'namespaces:unavailable': 1, 'namespaces:timeout': 1, 'discovery:unavailable': 1 });
  });

  it('speaks plain HTTP to an http:// server', async () => {
    const plainSim = await startSimulator({ tls: false });
    try {
      const plain = new KubeApi(plainSim.kubeConfig(), { timeoutMs: 2_000 });
      const ns = await plain.raw<{ metadata: { name: string } }>('get', 'namespaces', 'GET', '/api/v1/namespaces/default');
      expect(ns.metadata.name).toBe('default');
    } finally {
      await plainSim.stop();
    }
  });

  it('fails as unavailable, not with a crash, when the kubeconfig no longer names a cluster', async () => {
    // client-node refuses such a kubeconfig up front; raw() reads the cluster per request.
    const kc = sim.kubeConfig();
    const late = new KubeApi(kc, { timeoutMs: 500 });
    kc.setCurrentContext('gone');
    const e = await failure(late.raw('get', 'discovery', 'GET', '/apis'));
    expect(e).toMatchObject({ kind: 'unavailable' });
    expect(e.message).toContain('no current cluster');
  });
});

describe('KubeApi connections', () => {
  it('keeps one TLS connection alive across calls (typed and raw) instead of one per call', async () => {
    const sockets = new Set<unknown>();
    for (let i = 0; i < 5; i++) {
      await api.call('get', 'namespaces', (opt) => api.core.readNamespace({ name: 'api-test' }, opt));
      await api.raw('get', 'namespaces', 'GET', '/api/v1/namespaces/api-test');
      const agent = (api as unknown as { agent: import('node:https').Agent }).agent;
      for (const list of Object.values(agent.freeSockets)) for (const s of list ?? []) sockets.add(s);
    }
    expect(sockets.size).toBe(1);
    api.close();
  });
});
