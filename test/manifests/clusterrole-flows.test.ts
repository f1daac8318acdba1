/**
 * Every rule of the ClusterRole rendered from manifests/ is there for a flow. With that one rule
 * removed, the flow that needs it fails and says which permission is missing — a 503 naming it, a
 * FAILED vApp with OpenShift's review message, a failed task, or readiness naming the informer —
 * never silently. (With all the rules, every cluster-backed test of the suite passes: they all run
 * the server as this ServiceAccount, see test/support/cluster.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { V1PolicyRule } from '@kubernetes/client-node';
import { startTestCluster, type TestCluster } from '#test/support/cluster.ts';
import { json, type TestApp } from '#test/support/app.ts';
import { manifestRules } from '#test/support/service-account.ts';
import { seedCatalog } from '#test/support/fixtures.ts';
import { vdcWorld, adminVdcsPath, type VdcWorld } from '#test/support/vdc-world.ts';
import { clusterVdc, instantiatePath, vappPath, waitFor, waitTask, waitVappStatus } from '#test/support/vapp-world.ts';
import { catalogItemId } from '#lib/catalog/items.ts';

let cluster: TestCluster;
beforeAll(async () => { cluster = await startTestCluster(); }, 60_000);
afterAll(() => cluster?.stop());

const FORBIDDEN = /forbidden/i;
const unique = (p: string) => `${p}-${randomUUID().slice(0, 6)}`;

/** The manifests' rules less the one for `group`/`resource` (which must exist). */
function without(group: string, resource: string): V1PolicyRule[] {
  const rules = manifestRules();
  const i = rules.findIndex((r) => r.apiGroups?.includes(group) && r.resources?.includes(resource));
  expect(i, `the ClusterRole has a rule for ${resource}.${group}`).toBeGreaterThanOrEqual(0);
  rules.splice(i, 1);
  return rules;
}

interface World { t: Awaited<ReturnType<TestCluster['app']>>; w: VdcWorld; catalog: ReturnType<typeof seedCatalog> }

async function world(rules: V1PolicyRule[]): Promise<World> {
  const t = await cluster.app({ rules, env: { SSVIRT_TASK_TIMEOUT_SECONDS: '20' } });
  const w = await vdcWorld(t);
  const catalog = seedCatalog(t.db, w.acme.id, 'templates');
  return { t, w, catalog };
}

async function createVdc(t: TestApp, w: VdcWorld): Promise<{ status: number; body: any }> {
  const res = await t.request('POST', adminVdcsPath(w.acme.id), {
    token: w.tokens.sys,
    body: { name: unique('vdc'), computeCapacity: { cpu: { limit: 2000, units: 'MHz' }, memory: { limit: 2048, units: 'MB' } } },
  });
  return { status: res.status, body: await json(res) };
}

async function instantiate(x: World, vdcId: string, template = 'fedora-server-small'): Promise<{ status: number; body: any }> {
  const res = await x.t.request('POST', instantiatePath(vdcId), {
    token: x.w.tokens.orgAdmin,
    body: { name: unique('app'), catalogItem: { id: `urn:vcloud:catalogitem:${catalogItemId(x.catalog.id, { namespace: 'openshift', name: template })}` } },
  });
  return { status: res.status, body: await json(res) };
}

/** A vApp accepted (201) in a new VDC of Acme; the cluster's side of it is the test's concern. */
async function instantiatedInNewVdc(x: World): Promise<{ status: number; body: any }> {
  const vdc = await clusterVdc(x.t, x.w.acme.id, 'dev');
  const a = await instantiate(x, vdc.id);
  expect(a.status, JSON.stringify(a.body)).toBe(201);
  return a;
}

/** A 503 CLUSTER_UNAVAILABLE whose message names the missing permission. */
function expectDenied(a: { status: number; body: any }, resource: string) {
  expect(a.status, JSON.stringify(a.body)).toBe(503);
  expect(a.body.minorErrorCode).toBe('CLUSTER_UNAVAILABLE');
  expect(a.body.message).toMatch(FORBIDDEN);
  expect(a.body.message).toContain(resource);
}

/** A vApp that ends FAILED with the template controller's review message naming `resource`. */
async function expectFailedVapp(x: World, id: string, resource: string) {
  const v = await waitVappStatus(x.t, x.w.tokens.orgAdmin, id, 'FAILED', 15_000);
  expect(v.statusMessage).toMatch(FORBIDDEN);
  expect(v.statusMessage).toContain(resource);
}

describe('the ClusterRole of manifests/, one rule removed at a time', () => {

  it('without datasources: catalog items are UNAVAILABLE, saying the DataSources cannot be listed', async () => {
    const x = await world(without('cdi.kubevirt.io', 'datasources'));
    const res = await x.t.request('GET', `/cloudapi/1.0.0/catalogs/urn:vcloud:catalog:${x.catalog.id}/catalogItems?filter=name==fedora-server-small`, { token: x.w.tokens.orgAdmin });
    const item = (await json(res)).values[0];
    expect(item.status).toBe('UNAVAILABLE');
    expect(item.statusMessage).toMatch(FORBIDDEN);
    expect(item.statusMessage).toContain('datasources');
  }, 40_000);

  it('without namespaces: creating a VDC answers 503 naming namespaces', async () => {
    const x = await world(without('', 'namespaces'));
    expectDenied(await createVdc(x.t, x.w), 'namespaces');
  });

  it('without resourcequotas: creating a VDC answers 503 naming resourcequotas', async () => {
    const x = await world(without('', 'resourcequotas'));
    expectDenied(await createVdc(x.t, x.w), 'resourcequotas');
  });

  it('without networkpolicies: creating a VDC answers 503 naming networkpolicies', async () => {
    const x = await world(without('networking.k8s.io', 'networkpolicies'));
    expectDenied(await createVdc(x.t, x.w), 'networkpolicies');
  });

  it('without secrets: instantiating answers 503 naming secrets', async () => {
    const x = await world(without('', 'secrets'));
    const vdc = await clusterVdc(x.t, x.w.acme.id, 'dev');
    expectDenied(await instantiate(x, vdc.id), 'secrets');
  });

  it('without templateinstances: instantiating answers 503 naming templateinstances', async () => {
    const x = await world(without('template.openshift.io', 'templateinstances'));
    const vdc = await clusterVdc(x.t, x.w.acme.id, 'dev');
    expectDenied(await instantiate(x, vdc.id), 'templateinstances');
  });

  it('without templateconfigs: the vApp ends FAILED with the template controller\'s review of templateconfigs', async () => {
    const x = await world(without('template.openshift.io', 'templateconfigs'));
    const a = await instantiatedInNewVdc(x);
    await expectFailedVapp(x, a.body.id, 'templateconfigs');
  });

  it('without virtualmachines: the vApp ends FAILED with the review of creating its VirtualMachine', async () => {
    const x = await world(without('kubevirt.io', 'virtualmachines'));
    const a = await instantiatedInNewVdc(x);
    await expectFailedVapp(x, a.body.id, 'virtualmachines');
  });

  it('without the KubeVirt subresources: a power-on task ends in error naming virtualmachines/start', async () => {
    const x = await world(without('subresources.kubevirt.io', 'virtualmachines/start'));
    const a = await instantiatedInNewVdc(x);
    await waitVappStatus(x.t, x.w.tokens.orgAdmin, a.body.id, 'POWERED_OFF', 15_000);
    const res = await x.t.request('POST', `${vappPath(a.body.id)}/actions/powerOn`, { token: x.w.tokens.orgAdmin });
    if (res.status === 202) {
      const task = await waitTask(x.t, x.w.tokens.orgAdmin, res.headers.get('location')!, 15_000);
      expect(task.status, JSON.stringify(task)).toBe('error');
      expect(JSON.stringify(task)).toContain('virtualmachines/start');
    } else {
      expectDenied({ status: res.status, body: await json(res) }, 'virtualmachines/start');
    }
  });

  for (const [group, resource] of [
    ['template.openshift.io', 'templates'],
    ['kubevirt.io', 'virtualmachineinstances'],
    ['cdi.kubevirt.io', 'datasources'],
    // Sizes of catalog items and VMs that reference an instancetype come from these informers.
    ['instancetype.kubevirt.io', 'virtualmachineclusterinstancetypes'],
  ] as const) {
    it(`without ${resource}: readiness is degraded and names the forbidden ${resource} informer`, async () => {
      const x = await world(without(group, resource));
      const r = await waitFor(async () => {
        const body = await json(await x.t.request('GET', '/readyz'));
        return JSON.stringify(body.checks ?? {}).includes(resource) ? body : undefined;
      }, `/readyz naming ${resource}`, 15_000);
      expect(r.status).toBe('degraded');
      expect(JSON.stringify(r.checks.informerProblems)).toMatch(FORBIDDEN);
    }, 40_000);
  }
});
