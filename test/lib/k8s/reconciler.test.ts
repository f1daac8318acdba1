/**
 * The reconciler after a crash: the real server (production build) runs against the simulator,
 * a Kubernetes call is held by an injected latency, and the process is killed with SIGKILL while
 * the database already holds the row and the call is in flight. A new process on the same
 * database must bring the database and the cluster into agreement: no row without its objects,
 * no objects without their row, no leaked Secret, no task left running.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { CoreV1Api, CustomObjectsApi, NetworkingV1Api } from '@kubernetes/client-node';
import { startSimulator, type Simulator } from '#test/cluster/index.ts';
import { startControllers } from '#test/cluster/controllers/index.ts';
import { loadSampleTemplates } from '#test/cluster/templates/index.ts';
import { buildOnce, startServer, tempDir, waitReady, type ServerProcess } from '#test/support/server-process.ts';
import type { FaultRule } from '#test/cluster/apiserver/faults.ts';
import { until } from '#test/support/wait.ts';

const PASSWORD = 'crash-test-password';
const ACCEPT = 'application/json;version=39.0';
/** How long the injected latency holds the call: longer than a restart, so the kill lands inside it. */
const HOLD_MS = 1_500;

let sim: Simulator;
let controllers: { stop(): Promise<void> };
let dist: string;
let data: string;
let server: ServerProcess;
let token: string;
let orgId: string;
let core: CoreV1Api;
let custom: CustomObjectsApi;
let net: NetworkingV1Api;

async function start(): Promise<ServerProcess> {
  const s = await startServer({
    dist,
    env: {
      SSVIRT_DB_PATH: join(data, 'ssvirt.db'), SSVIRT_KUBECONFIG: sim.kubeconfigPath, SSVIRT_ADMIN_PASSWORD: PASSWORD,
      SSVIRT_LOGIN_DELAY_MS: '0', SSVIRT_RECONCILE_INTERVAL_SECONDS: '1', SSVIRT_TASK_TIMEOUT_SECONDS: '8', SSVIRT_KUBE_TIMEOUT_SECONDS: '3',
    },
  });
  await waitReady(s, 30_000);
  return s;
}

async function api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { Accept: ACCEPT, Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
}

/** Polling for `until`: the server is another process and its reconciler works in passes; a timeout shows its last output. */
const poll = (timeoutMs = 20_000) => ({ timeoutMs, intervalMs: 100, detail: () => server.output.slice(-20).join('\n') });

/**
 * Sends a request whose Kubernetes call `rule` holds, kills the server with SIGKILL once the call
 * has reached the API server (the row is written by then), and starts a new process.
 */
async function crashDuring(rule: FaultRule, send: () => Promise<unknown>): Promise<void> {
  const id = sim.faults.inject({ ...rule, latencyMs: HOLD_MS, times: 1 });
  let answered: unknown;
  const pending = send().then((r) => { answered = r ?? 'answered'; }, () => undefined);
  await until(`the held ${rule.verb} ${rule.resource} call`, async () => {
    // An answer before the held call reached the API server means the test aimed at the wrong call.
    if (answered) throw new Error(`answered before the held ${rule.verb} ${rule.resource} call: ${JSON.stringify(answered)}`);
    return !sim.faults.list().some((r) => (r as FaultRule & { id: string }).id === id);
  }, poll(10_000));
  server.proc.kill('SIGKILL');
  expect(await server.exited).toBe('SIGKILL');
  await pending;
  server = await start();
}

const enc = encodeURIComponent;
const vdcPath = (id: string) => `/api/admin/org/${enc(orgId)}/vdcs/${enc(id)}`;

async function createVdc(name: string): Promise<any> {
  const r = await api('POST', `/api/admin/org/${enc(orgId)}/vdcs`, { name, computeCapacity: { cpu: { limit: 4000, units: 'MHz' }, memory: { limit: 8192, units: 'MB' } } });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
}

async function vdcByName(name: string): Promise<any | undefined> {
  const r = await api('GET', `/cloudapi/1.0.0/vdcs?filter=${enc(`name==${name}`)}`);
  expect(r.status).toBe(200);
  return r.body.values[0];
}

async function vappByName(vdcId: string, name: string): Promise<any | undefined> {
  const r = await api('GET', `/cloudapi/1.0.0/vdcs/${enc(vdcId)}/vapps?filter=${enc(`name==${name}`)}`);
  expect(r.status).toBe(200);
  return r.body.values[0];
}

/** The namespace, or undefined once it is gone. */
async function namespace(name: string) {
  try { return await core.readNamespace({ name }); } catch (e) { if ((e as { code?: number }).code === 404) return undefined; throw e; }
}

/** Everything of an instance in a namespace: the instance, its Secret and its VMs. */
async function instanceObjects(ns: string, instanceName: string): Promise<string[]> {
  const tis = ((await custom.listNamespacedCustomObject({ group: 'template.openshift.io', version: 'v1', namespace: ns, plural: 'templateinstances' }) as any).items as any[])
    .filter((i) => i.metadata.name === instanceName);
  const uids = new Set(tis.map((i) => i.metadata.uid));
  const vms = ((await custom.listNamespacedCustomObject({ group: 'kubevirt.io', version: 'v1', namespace: ns, plural: 'virtualmachines' }) as any).items as any[])
    .filter((vm) => uids.has(vm.metadata.labels?.['template.openshift.io/template-instance-owner']));
  const secrets = (await core.listNamespacedSecret({ namespace: ns })).items.filter((s) => s.metadata!.name === `${instanceName}-params`);
  return [...tis.map((i) => `ti/${i.metadata.name}`), ...vms.map((v) => `vm/${v.metadata.name}`), ...secrets.map((s) => `secret/${s.metadata!.name}`)];
}

/** Every TemplateInstance and Secret in the namespace (to find anything without a row). */
async function allVappObjects(ns: string): Promise<string[]> {
  const tis = ((await custom.listNamespacedCustomObject({ group: 'template.openshift.io', version: 'v1', namespace: ns, plural: 'templateinstances' }) as any).items as any[]).map((i) => `ti/${i.metadata.name}`);
  const secrets = (await core.listNamespacedSecret({ namespace: ns })).items.map((s) => `secret/${s.metadata!.name}`);
  return [...tis, ...secrets].sort();
}

async function instantiate(vdcId: string, name: string): Promise<any> {
  const r = await api('POST', `/cloudapi/1.0.0/vdcs/${enc(vdcId)}/actions/instantiateTemplate`, { name, catalogItem: { name: 'fedora-server-small' } });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return until(`vApp ${name} POWERED_OFF`, async () => {
    const v = (await api('GET', `/cloudapi/1.0.0/vapps/${enc(r.body.id)}`)).body;
    return v?.status === 'POWERED_OFF' ? v : undefined;
  }, poll());
}

beforeAll(async () => {
  sim = await startSimulator({ tls: true, namespaceFinalizeDelayMs: 100, gcDelayMs: 20 });
  const kc = sim.kubeConfig();
  controllers = await startControllers(kc, { stepDelayMs: 10 });
  await loadSampleTemplates(kc);
  core = kc.makeApiClient(CoreV1Api);
  custom = kc.makeApiClient(CustomObjectsApi);
  net = kc.makeApiClient(NetworkingV1Api);
  dist = await buildOnce();
  data = tempDir('crash');
  server = await start();
  const login = await fetch(`${server.url}/cloudapi/1.0.0/sessions/provider`, {
    method: 'POST', headers: { Accept: ACCEPT, Authorization: `Basic ${Buffer.from(`admin@System:${PASSWORD}`).toString('base64')}` },
  });
  expect(login.status).toBe(200);
  token = login.headers.get('x-vmware-vcloud-access-token')!;
  const org = await api('POST', '/cloudapi/1.0.0/orgs', { name: `crash-${randomUUID().slice(0, 6)}` });
  expect(org.status).toBe(201);
  orgId = org.body.id;
  // Catalog items are the templates seen through a catalog of the org.
  expect((await api('POST', '/cloudapi/1.0.0/catalogs', { name: 'templates', orgId })).status).toBe(201);
}, 120_000);

afterAll(async () => {
  await server?.stop(5_000);
  await controllers?.stop();
  await sim?.stop();
  if (dist) rmSync(dist, { recursive: true, force: true });
  if (data) rmSync(data, { recursive: true, force: true });
}, 30_000);

describe('the reconciler after SIGKILL between the database write and the Kubernetes call', () => {
  it('VDC create: the VDC ends READY with its namespace, quota and policy', async () => {
    const name = `c-${randomUUID().slice(0, 6)}`;
    await crashDuring({ verb: 'create', resource: 'namespaces' }, () => api('POST', `/api/admin/org/${enc(orgId)}/vdcs`, { name }));
    const vdc = await until('VDC READY', async () => { const v = await vdcByName(name); return v?.status === 'READY' ? v : undefined; }, poll());
    const ns = await until('namespace', () => namespace(vdc.namespace), poll());
    expect(ns.metadata?.labels?.['ssvirt.io/vdc-id']).toBe(vdc.id.split(':').pop());
    expect((await core.readNamespacedResourceQuota({ name: 'vdc-quota', namespace: vdc.namespace })).spec?.hard).toBeDefined();
    expect((await net.readNamespacedNetworkPolicy({ name: 'vdc-isolation', namespace: vdc.namespace })).metadata?.name).toBe('vdc-isolation');
  }, 60_000);

  it('VDC update: the quota in the cluster ends equal to the stored capacity', async () => {
    const vdc = await createVdc(`u-${randomUUID().slice(0, 6)}`);
    await crashDuring({ verb: 'patch', resource: 'resourcequotas' }, () => api('PUT', vdcPath(vdc.id), { ...vdc, computeCapacity: { cpu: { limit: 6000, units: 'MHz' }, memory: { limit: 12288, units: 'MB' } } }));
    const stored = (await api('GET', vdcPath(vdc.id))).body;
    const memory = stored.computeCapacity.memory.limit as number;
    // The update either landed before the kill or not at all; whichever, the cluster follows the row.
    expect([8192, 12288]).toContain(memory);
    await until(`quota requests.memory ${memory}Mi`, async () => {
      const q = await core.readNamespacedResourceQuota({ name: 'vdc-quota', namespace: vdc.namespace });
      return q.spec?.hard?.['requests.memory'] === `${memory}Mi`;
    }, poll());
  }, 60_000);

  it('VDC delete: the namespace and the row are gone', async () => {
    const vdc = await createVdc(`d-${randomUUID().slice(0, 6)}`);
    await crashDuring({ verb: 'delete', resource: 'namespaces' }, () => api('DELETE', vdcPath(vdc.id)));
    await until('namespace gone', async () => !(await namespace(vdc.namespace)), poll());
    await until('VDC row gone', async () => (await api('GET', vdcPath(vdc.id))).status === 403, poll());
  }, 60_000);

  describe('in a READY VDC', () => {
    let vdc: any;
    beforeAll(async () => {
      vdc = await createVdc(`v-${randomUUID().slice(0, 6)}`);
    }, 30_000);

    it('instantiate: the interrupted vApp is undone — no row, no instance, no Secret, no VM', async () => {
      const name = `i-${randomUUID().slice(0, 6)}`;
      await crashDuring({ verb: 'create', resource: 'templateinstances' }, () =>
        api('POST', `/cloudapi/1.0.0/vdcs/${enc(vdc.id)}/actions/instantiateTemplate`, { name, catalogItem: { name: 'fedora-server-small' } }));
      // The held create lands after the restart: the orphan sweep removes it then.
      await new Promise((r) => setTimeout(r, HOLD_MS));
      await until('row and objects gone', async () => !(await vappByName(vdc.id, name)) && (await instanceObjects(vdc.namespace, name)).length === 0, poll());
      expect(await allVappObjects(vdc.namespace)).toEqual([]);
      // The name is free: a retry succeeds.
      const again = await instantiate(vdc.id, name);
      expect(again.status).toBe('POWERED_OFF');
    }, 60_000);

    it('vApp delete: the deletion completes — row and objects gone', async () => {
      const v = await instantiate(vdc.id, `x-${randomUUID().slice(0, 6)}`);
      const instance = v.name;
      await crashDuring({ verb: 'delete', resource: 'templateinstances' }, () => api('DELETE', `/cloudapi/1.0.0/vapps/${enc(v.id)}`));
      await until('vApp row gone', async () => (await api('GET', `/cloudapi/1.0.0/vapps/${enc(v.id)}`)).status === 403, poll());
      await until('objects gone', async () => (await instanceObjects(vdc.namespace, instance)).length === 0, poll());
    }, 60_000);

    it('power on: the task does not stay running and the VM status agrees with the cluster', async () => {
      const v = await instantiate(vdc.id, `p-${randomUUID().slice(0, 6)}`);
      let location: string | null = null;
      await crashDuring({ verb: 'update', resource: 'virtualmachines/start' }, async () => {
        const r = await fetch(`${server.url}/cloudapi/1.0.0/vapps/${enc(v.id)}/actions/powerOn`, { method: 'POST', headers: { Accept: ACCEPT, Authorization: `Bearer ${token}` } });
        location = r.headers.get('location');
        return { status: r.status, body: await r.text() };
      });
      expect(location).toBeNull(); // killed before it answered
      const tasks = await until('power task finished', async () => {
        const r = await api('GET', `/cloudapi/1.0.0/tasks?filter=${enc(`owner.id==${v.id}`)}`);
        const list = (r.body?.values ?? []) as any[];
        return list.length && list.every((t) => t.status !== 'running') ? list : undefined;
      }, poll(30_000));
      const task = tasks.find((t) => t.operationName === 'vappPowerOn');
      expect(task, JSON.stringify(tasks)).toBeDefined();
      const vms = (await api('GET', `/cloudapi/1.0.0/vapps/${enc(v.id)}/vms`)).body.values as any[];
      const vm = await custom.getNamespacedCustomObject({ group: 'kubevirt.io', version: 'v1', namespace: vdc.namespace, plural: 'virtualmachines', name: vms[0].name }) as any;
      const running = vm.status?.printableStatus === 'Running';
      // The held start reached the cluster after the kill: the new process saw the VM come up.
      expect(task.status).toBe(running ? 'success' : 'error');
      await until('VM status in step', async () => ((await api('GET', `/cloudapi/1.0.0/vapps/${enc(v.id)}/vms`)).body.values[0].status === (running ? 'POWERED_ON' : 'POWERED_OFF')), poll());
    }, 60_000);
  });
});
