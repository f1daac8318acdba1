/**
 * Fault injection, each kind, seen from @kubernetes/client-node and through the HTTP control
 * endpoint: latency, error statuses, connection reset, outage (listener closed, control port still
 * answering), counted rules, filters, and dropped watches (closed stream, 410 ERROR event).
 */
import { ApiException, CoreV1Api, CustomObjectsApi, Watch, type KubeConfig } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../index.ts';

let sim: Simulator;
let kc: KubeConfig;
let core: CoreV1Api;
let crd: CustomObjectsApi;

beforeAll(async () => {
  sim = await startSimulator();
  kc = sim.kubeConfig();
  core = kc.makeApiClient(CoreV1Api);
  crd = kc.makeApiClient(CustomObjectsApi);
  await core.createNamespace({ body: { metadata: { name: 'fa' } } });
  await core.createNamespace({ body: { metadata: { name: 'fb' } } });
});
afterAll(async () => { await sim?.stop(); });
afterEach(() => sim.faults.clear());

async function failure(p: Promise<unknown>): Promise<unknown> {
  try { await p; } catch (e) { return e; }
  throw new Error('expected the call to fail');
}
const body = (e: unknown) => {
  const b = (e as ApiException<unknown>).body;
  return typeof b === 'string' ? JSON.parse(b) : b;
};
const control = (method: string, p: string, b?: unknown) => fetch(`${sim.controlUrl}${p}`, {
  method, headers: { Authorization: `Bearer ${sim.token}`, 'Content-Type': 'application/json' }, body: b === undefined ? undefined : JSON.stringify(b),
});

describe('fault injection', () => {
  it('adds latency to matching calls only, for the next N', async () => {
    sim.faults.inject({ verb: 'list', resource: 'secrets', latencyMs: 300, times: 1 });
    let t = Date.now();
    await core.listNamespacedSecret({ namespace: 'fa' });
    expect(Date.now() - t).toBeGreaterThanOrEqual(290);
    t = Date.now();
    await core.listNamespacedSecret({ namespace: 'fa' });
    expect(Date.now() - t).toBeLessThan(250);
    expect(sim.faults.list()).toEqual([]);
  });

  it.each([
    [500, 'InternalError'], [503, 'ServiceUnavailable'], [409, 'Conflict'], [429, 'TooManyRequests'], [403, 'Forbidden'],
  ] as const)('answers %i as a real Status (%s)', async (status, reason) => {
    sim.faults.inject({ verb: 'create', resource: 'secrets', namespace: 'fa', status, times: 1 });
    const e = await failure(core.createNamespacedSecret({ namespace: 'fa', body: { metadata: { name: `s${status}` } } }));
    expect(e).toBeInstanceOf(ApiException);
    expect((e as ApiException<unknown>).code).toBe(status);
    expect(body(e)).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason, code: status });
    if (status === 429) expect((e as ApiException<unknown>).headers['retry-after']).toBe('1');
    await core.createNamespacedSecret({ namespace: 'fa', body: { metadata: { name: `s${status}` } } });
  });

  it('filters by namespace and counts down `times`', async () => {
    sim.faults.inject({ verb: 'get', resource: 'namespaces', status: 503, times: 2 });
    sim.faults.inject({ resource: 'secrets', namespace: 'fa', status: 500 });
    await core.listNamespacedSecret({ namespace: 'fb' });
    expect(((await failure(core.listNamespacedSecret({ namespace: 'fa' }))) as ApiException<unknown>).code).toBe(500);
    expect(((await failure(core.readNamespace({ name: 'fa' }))) as ApiException<unknown>).code).toBe(503);
    expect(sim.faults.list().find((r) => r.resource === 'namespaces')?.times).toBe(1);
    expect(((await failure(core.readNamespace({ name: 'fa' }))) as ApiException<unknown>).code).toBe(503);
    expect((await core.readNamespace({ name: 'fa' })).metadata?.name).toBe('fa');
  });

  it('resets the connection', async () => {
    sim.faults.inject({ verb: 'list', resource: 'namespaces', reset: true, times: 1 });
    const e = await failure(core.listNamespace());
    expect(e).not.toBeInstanceOf(ApiException);
    expect(String((e as Error).message)).toMatch(/socket hang up|ECONNRESET|reset|terminated|closed/i);
    await core.listNamespace();
  });

  it('an outage refuses connections until cleared, while the control port keeps working', async () => {
    const res = await control('POST', '/_sim/faults', { outage: true });
    expect(res.status).toBe(201);
    const { id } = await res.json() as { id: string };
    const e = await failure(core.listNamespace());
    expect(e).not.toBeInstanceOf(ApiException);
    expect(String((e as Error).message)).toMatch(/ECONNREFUSED|ECONNRESET|socket hang up/);
    const listed = await (await control('GET', '/_sim/faults')).json() as { items: { outage?: boolean }[] };
    expect(listed.items).toMatchObject([{ outage: true }]);
    expect((await control('DELETE', `/_sim/faults/${id}`)).status).toBe(200);
    expect((await core.listNamespace()).items.length).toBeGreaterThan(0);
  });

  it('an outage with `times` drops that many connections', async () => {
    sim.faults.inject({ outage: true, times: 1 });
    const raw = () => fetch(`${sim.url}/api/v1/namespaces`, { headers: { Authorization: `Bearer ${sim.token}`, Connection: 'close' } });
    await expect(raw()).rejects.toThrow();
    expect((await raw()).status).toBe(200);
  });

  it('drops a watch: closed right after start, or a 410 ERROR event', async () => {
    const path = '/apis/kubevirt.io/v1/namespaces/fa/virtualmachines';
    const run = () => new Promise<{ events: string[]; err: unknown; ms: number }>((resolve) => {
      const events: string[] = [];
      const t0 = Date.now();
      void new Watch(kc).watch(path, { resourceVersion: sim.resourceVersion(), allowWatchBookmarks: true },
        (type, obj) => events.push(`${type}${obj?.code ? ` ${obj.code}` : ''}`), (err) => resolve({ events, err, ms: Date.now() - t0 }));
    });
    sim.faults.inject({ verb: 'watch', resource: 'virtualmachines', dropWatch: 'close', times: 1 });
    const closed = await run();
    expect(closed.events).toEqual([]);
    expect(closed.err).toBeNull();
    expect(closed.ms).toBeLessThan(1000);
    sim.faults.inject({ verb: 'watch', resource: 'virtualmachines', dropWatch: 'gone', times: 1 });
    const gone = await run();
    expect(gone.events).toEqual(['ERROR 410']);
    // Non-watch calls are not affected by a dropWatch rule.
    sim.faults.inject({ resource: 'virtualmachines', dropWatch: 'gone' });
    await crd.listNamespacedCustomObject({ group: 'kubevirt.io', version: 'v1', namespace: 'fa', plural: 'virtualmachines' });
  });

  it('ends the matching watches already open when a dropWatch rule is injected; others stay open', async () => {
    const open = (path: string) => {
      const events: string[] = [];
      let ended = false;
      void new Watch(kc).watch(path, { resourceVersion: sim.resourceVersion() }, (type, obj) => events.push(`${type} ${obj?.code ?? obj?.metadata?.name}`), () => { ended = true; });
      return { events, ended: () => ended };
    };
    const vms = open('/apis/kubevirt.io/v1/namespaces/fa/virtualmachines');
    const nss = open('/api/v1/namespaces');
    await new Promise((r) => setTimeout(r, 200));
    sim.faults.inject({ verb: 'watch', resource: 'virtualmachines', dropWatch: 'gone', times: 1 });
    const end = Date.now() + 2_000;
    while (!vms.ended() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    expect(vms.ended()).toBe(true);
    expect(nss.ended()).toBe(false);
    // The rule is still there for the reconnect.
    expect(sim.faults.list().some((r) => r.dropWatch === 'gone')).toBe(true);
    sim.faults.clear();
  });

  it('matches subresource calls by verb update and resource virtualmachines/start', async () => {
    await crd.createNamespacedCustomObject({ group: 'kubevirt.io', version: 'v1', namespace: 'fa', plural: 'virtualmachines', body: { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name: 'v' }, spec: { runStrategy: 'Halted', template: { spec: {} } } } });
    sim.faults.inject({ verb: 'update', resource: 'virtualmachines/start', status: 503, times: 1 });
    const start = () => fetch(`${sim.url}/apis/subresources.kubevirt.io/v1/namespaces/fa/virtualmachines/v/start`, { method: 'PUT', headers: { Authorization: `Bearer ${sim.token}`, 'Content-Type': 'application/json' }, body: '{}' });
    expect((await start()).status).toBe(503);
    expect((await start()).status).toBe(202);
  });

  it('the control endpoint needs the admin token', async () => {
    expect((await fetch(`${sim.controlUrl}/_sim/faults`)).status).toBe(401);
    const r = await control('POST', '/_sim/faults', { verb: 'get', status: 500, times: 3 });
    const { id } = await r.json() as { id: string };
    expect((await (await control('GET', '/_sim/faults')).json() as { items: unknown[] }).items).toMatchObject([{ id, verb: 'get', status: 500, times: 3 }]);
    await control('DELETE', '/_sim/faults');
    expect(sim.faults.list()).toEqual([]);
  });
});
