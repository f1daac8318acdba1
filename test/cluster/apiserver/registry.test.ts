/**
 * Quantities sent as JSON numbers (YAML `pods: 10` turned into JSON by kubectl): a real server decodes
 * them into `resource.Quantity` and answers canonical strings, for the Quantity fields of built-in
 * kinds only; custom resources keep their JSON as sent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../index.ts';
import { quantityFromNumber } from './registry.ts';

describe('quantityFromNumber', () => {
  it('formats a number as resource.Quantity marshals it (canonical, SI suffix, rounded up to nano)', () => {
    const cases: [number, string][] = [
      [10, '10'], [0, '0'], [1, '1'], [100, '100'], [1000, '1k'], [1500, '1500'], [2e6, '2M'], [3e9, '3G'],
      [0.5, '500m'], [1.5, '1500m'], [0.25, '250m'], [0.001, '1m'], [1.5e-7, '150n'], [1e-10, '1n'], [-5, '-5'], [-0.5, '-500m'],
    ];
    for (const [n, want] of cases) expect(quantityFromNumber(n), String(n)).toBe(want);
  });
});

describe('Quantity fields sent as numbers (over HTTP)', () => {
  let sim: Simulator;
  // No quota controller: its status writes would race the test's own (409 on the status PUT).
  beforeAll(async () => { sim = await startSimulator({ quotaController: false }); });
  afterAll(async () => { await sim?.stop(); });

  const call = async (method: string, path: string, body?: unknown, contentType = 'application/json') => {
    const res = await fetch(`${sim.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${sim.token}`, ...(body === undefined ? {} : { 'content-type': contentType }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() as Record<string, any> };
  };

  it('stores and answers ResourceQuota spec.hard and status numbers as strings', async () => {
    await call('POST', '/api/v1/namespaces', { metadata: { name: 'qty' } });
    const created = await call('POST', '/api/v1/namespaces/qty/resourcequotas', {
      apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q' }, spec: { hard: { pods: 10, 'requests.cpu': 1.5, 'requests.memory': '1Gi' } },
    });
    expect(created.status).toBe(201);
    expect(created.body.spec.hard).toEqual({ pods: '10', 'requests.cpu': '1500m', 'requests.memory': '1Gi' });
    expect((await call('GET', '/api/v1/namespaces/qty/resourcequotas/q')).body.spec.hard).toEqual({ pods: '10', 'requests.cpu': '1500m', 'requests.memory': '1Gi' });

    const patched = await call('PATCH', '/api/v1/namespaces/qty/resourcequotas/q', { spec: { hard: { pods: 1000 } } }, 'application/merge-patch+json');
    expect(patched.status).toBe(200);
    expect(patched.body.spec.hard).toEqual({ pods: '1k', 'requests.cpu': '1500m', 'requests.memory': '1Gi' });

    const status = await call('PUT', '/api/v1/namespaces/qty/resourcequotas/q/status', {
      ...patched.body, status: { hard: { pods: 1000 }, used: { pods: 0, 'requests.cpu': 0.25 } },
    });
    expect(status.status).toBe(200);
    expect(status.body.status.used).toEqual({ pods: '0', 'requests.cpu': '250m' });
    expect(status.body.status.hard).toEqual({ pods: '1k' });
  });

  it('stores LimitRange limits and requests numbers as strings', async () => {
    await call('POST', '/api/v1/namespaces', { metadata: { name: 'qty-lr' } });
    const lr = await call('POST', '/api/v1/namespaces/qty-lr/limitranges', {
      apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'lr' },
      spec: { limits: [{ type: 'Container', default: { cpu: 1 }, defaultRequest: { cpu: 0.5, memory: '256Mi' }, max: { cpu: 2 }, min: { cpu: 0.1 }, maxLimitRequestRatio: { cpu: 4 } }] },
    });
    expect(lr.status).toBe(201);
    expect((await call('GET', '/api/v1/namespaces/qty-lr/limitranges/lr')).body.spec.limits).toEqual([
      { type: 'Container', default: { cpu: '1' }, defaultRequest: { cpu: '500m', memory: '256Mi' }, max: { cpu: '2' }, min: { cpu: '100m' }, maxLimitRequestRatio: { cpu: '4' } },
    ]);
  });

  it('leaves numbers in custom resources as sent', async () => {
    await call('POST', '/api/v1/namespaces', { metadata: { name: 'qty-cr' } });
    const it = await call('POST', '/apis/instancetype.kubevirt.io/v1beta1/namespaces/qty-cr/virtualmachineinstancetypes', {
      apiVersion: 'instancetype.kubevirt.io/v1beta1', kind: 'VirtualMachineInstancetype', metadata: { name: 'n' },
      spec: { cpu: { guest: 1 }, memory: { guest: 1073741824 } },
    });
    expect(it.status).toBe(201);
    expect(it.body.spec.memory).toEqual({ guest: 1073741824 });
  });
});
