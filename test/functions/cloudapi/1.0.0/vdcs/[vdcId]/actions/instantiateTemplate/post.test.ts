import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { startTestCluster, type TestCluster } from '#test/support/cluster.ts';
import { makeTestApp, json } from '#test/support/app.ts';
import { seedVdc } from '#test/support/fixtures.ts';
import { vdcWorld } from '#test/support/vdc-world.ts';
import { clusterVdc, instantiateOk, instantiatePath, vappPath, vappWorld, waitFor, waitVappStatus, type ClusterApp, type VappWorld } from '#test/support/vapp-world.ts';
import { catalogItemId } from '#lib/catalog/items.ts';
import { findVapp } from '#db/queries/vapps.ts';
import { vapps } from '#db/schema.ts';
import { eq } from 'drizzle-orm';
import { setDataSourceReady } from '#test/cluster/templates/index.ts';
import { until } from '#test/support/wait.ts';

let cluster: TestCluster;
let t: ClusterApp;
let w: VappWorld;

const REQUIRED_TEMPLATE = 'needs-secret';

beforeAll(async () => {
  cluster = await startTestCluster();
  // A template with a required parameter that has neither a value nor a generator.
  const custom = cluster.sim.kubeConfig().makeApiClient(CustomObjectsApi);
  await custom.createNamespacedCustomObject({
    group: 'template.openshift.io', version: 'v1', namespace: 'openshift', plural: 'templates',
    body: {
      apiVersion: 'template.openshift.io/v1', kind: 'Template',
      metadata: { name: REQUIRED_TEMPLATE, namespace: 'openshift', labels: { 'template.kubevirt.io/type': 'vm' } },
      objects: [{
        apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name: '${NAME}' },
        spec: { runStrategy: 'Halted', template: { spec: { domain: { cpu: { cores: 1 }, memory: { guest: '1Gi' }, devices: {} } } } },
      }],
      parameters: [{ name: 'NAME', required: true, generate: 'expression', from: 'vm-[a-z0-9]{8}' }, { name: 'API_KEY', required: true }],
    },
  });
  t = await cluster.app();
  w = await vappWorld(t);
  await waitFor(() => t.runtime.templates().get('openshift', REQUIRED_TEMPLATE), 'custom template in the cache');
}, 30_000);
afterAll(() => cluster.stop());

const path = () => instantiatePath(w.vdc.id);
const fedoraItem = () => `urn:vcloud:catalogitem:${catalogItemId(w.catalog.id, { namespace: 'openshift', name: 'fedora-server-small' })}`;
const unique = (p: string) => `${p}-${randomUUID().slice(0, 6)}`;

async function secretsOf(namespace: string): Promise<string[]> {
  const core = cluster.sim.kubeConfig().makeApiClient(CoreV1Api);
  return (await core.listNamespacedSecret({ namespace })).items.map((s) => s.metadata!.name!);
}
async function instancesOf(namespace: string): Promise<string[]> {
  const custom = cluster.sim.kubeConfig().makeApiClient(CustomObjectsApi);
  const list = await custom.listNamespacedCustomObject({ group: 'template.openshift.io', version: 'v1', namespace, plural: 'templateinstances' }) as { items: { metadata: { name: string } }[] };
  return list.items.map((i) => i.metadata.name);
}

describe('POST /cloudapi/1.0.0/vdcs/:vdcId/actions/instantiateTemplate', () => {
  it('answers 400 for an item whose boot source is not Ready unless another Ready one is named, creating nothing', async () => {
    const rhel = { namespace: 'openshift-virtualization-os-images', name: 'rhel9' };
    const item = `urn:vcloud:catalogitem:${catalogItemId(w.catalog.id, { namespace: 'openshift', name: 'rhel9-server-small' })}`;
    await setDataSourceReady(cluster.sim.kubeConfig(), rhel, false);
    try {
      await until('rhel9-server-small UNAVAILABLE', () => t.runtime.templates().get('openshift', 'rhel9-server-small')?.status === 'UNAVAILABLE', { timeoutMs: 5_000, intervalMs: 20 });
      const before = t.db.select().from(vapps).all().length;
      const refused = await t.request('POST', path(), { token: w.tokens.user, body: { name: unique('boot'), catalogItem: { id: item } } });
      expect(refused.status).toBe(400);
      const body = await json(refused);
      expect(body.minorErrorCode).toBe('BAD_REQUEST');
      expect(body.message).toContain('boot source DataSource openshift-virtualization-os-images/rhel9 is not Ready');
      const missing = await t.request('POST', path(), { token: w.tokens.user, body: { name: unique('boot'), catalogItem: { id: item }, parameters: { DATA_SOURCE_NAME: 'no-such-image' } } });
      expect(missing.status).toBe(400);
      expect((await json(missing)).message).toContain('boot source DataSource openshift-virtualization-os-images/no-such-image does not exist');
      expect(t.db.select().from(vapps).all().length).toBe(before);
      // Another Ready boot source named through the template's parameters is fine.
      await instantiateOk(t, w.tokens.user, w.vdc.id, { name: unique('boot'), catalogItem: { id: item }, parameters: { DATA_SOURCE_NAME: 'fedora' } });
    } finally {
      await setDataSourceReady(cluster.sim.kubeConfig(), rhel, true);
    }
  });

  it('creates a vApp INSTANTIATING whose VM appears and ends POWERED_OFF', async () => {
    const res = await t.request('POST', path(), { token: w.tokens.user, body: { name: 'Web Server', description: 'd', catalogItem: { id: fedoraItem() }, parameters: { CLOUD_USER_PASSWORD: 's3cret-value' } } });
    expect(res.status).toBe(201);
    const v = await json(res);
    expect(v.status).toBe('INSTANTIATING');
    expect(res.headers.get('location')).toBe(`http://localhost/cloudapi/1.0.0/vapps/${v.id}`);
    expect(v).toMatchObject({
      name: 'Web Server', description: 'd', vdcId: `urn:vcloud:vdc:${w.vdc.id}`, vdc: { id: `urn:vcloud:vdc:${w.vdc.id}`, name: 'dev' },
      org: { id: `urn:vcloud:org:${w.acme.id}`, name: 'Acme' }, owner: { name: 'acme-user' },
      catalogItem: { id: fedoraItem(), name: 'fedora-server-small' }, template: { namespace: 'openshift', name: 'fedora-server-small' },
      statusMessage: null,
    });
    expect(JSON.stringify(v)).not.toContain('s3cret-value');
    expect(v.createdAt).toBe(v.createdDate);
    const row = findVapp(t.db, v.id.split(':').pop())!;
    expect(row.instanceName).toBe('web-server');
    expect(row.instanceUid).toBeTruthy();
    expect(row.parameters).toEqual({ CLOUD_USER_PASSWORD: 's3cret-value', NAME: 'web-server' });
    expect(JSON.stringify(t.logs)).not.toContain('s3cret-value');

    await waitVappStatus(t, w.tokens.user, v.id, 'POWERED_OFF');
    // POWERED_OFF shows first from runStrategy Halted; KubeVirt then reports Stopped.
    const off = await waitFor(async () => {
      const got = await json(await t.request('GET', vappPath(v.id), { token: w.tokens.user }));
      return got.vms[0]?.kubernetes.printableStatus === 'Stopped' ? got : undefined;
    }, 'printableStatus Stopped');
    expect(off.numberOfVMs).toBe(1);
    expect(off.vms[0]).toMatchObject({ name: 'web-server', status: 'POWERED_OFF', vappId: v.id, kubernetes: { namespace: w.vdc.namespace, name: 'web-server', printableStatus: 'Stopped' } });
    expect(await secretsOf(w.vdc.namespace)).toContain('web-server-params');
  });

  it('finds the item by template name, accepts catalogItemUrn and list-form parameters', async () => {
    const byName = await instantiateOk(t, w.tokens.orgAdmin, w.vdc.id, { name: unique('byname'), catalogItem: { name: 'centos-stream9-server-small' } });
    expect(byName.template.name).toBe('centos-stream9-server-small');
    const byUrn = await instantiateOk(t, w.tokens.orgAdmin, w.vdc.id, { name: unique('byurn'), catalogItem: undefined, catalogItemUrn: fedoraItem(), parameters: [{ name: 'CLOUD_USER_PASSWORD', value: 'x' }] });
    expect(byUrn.catalogItem.id).toBe(fedoraItem());
  });

  it('fills the required NAME of a user-made template from the vApp name; the VM is sized by its domain', async () => {
    const v = await instantiateOk(t, w.tokens.user, w.vdc.id, { name: 'Shop Front', catalogItem: { name: 'acme-web-server' } });
    expect(findVapp(t.db, v.id.split(':').pop())!.parameters).toEqual({ NAME: 'shop-front' });
    const off = await waitVappStatus(t, w.tokens.user, v.id, 'POWERED_OFF');
    // acme-web-server: 1 socket × 2 cores, memory.guest 6Gi.
    expect(off.vms[0]).toMatchObject({ name: 'shop-front', hardware: { numCpus: 2, memoryMB: 6144 } });
  });

  it('sizes the VM of an instancetype-based template by the instancetype', async () => {
    const v = await instantiateOk(t, w.tokens.user, w.vdc.id, { name: unique('sized'), catalogItem: { name: 'centos-stream9-u1-medium' } });
    const off = await waitVappStatus(t, w.tokens.user, v.id, 'POWERED_OFF');
    // u1.medium: cpu.guest 1, memory.guest 4Gi; the VM's domain says neither.
    expect(off.vms[0].hardware).toMatchObject({ numCpus: 1, memoryMB: 4096 });
  });

  it('makes instance names unique in the VDC', async () => {
    const a = await instantiateOk(t, w.tokens.sys, w.vdc.id, { name: 'Same Name!' });
    const b = await instantiateOk(t, w.tokens.sys, w.vdc.id, { name: 'same-name' });
    expect(findVapp(t.db, a.id.split(':').pop())!.instanceName).toBe('same-name');
    expect(findVapp(t.db, b.id.split(':').pop())!.instanceName).toBe('same-name-2');
  });

  it('powers the VMs on after instantiation with powerOn: true', async () => {
    const v = await instantiateOk(t, w.tokens.user, w.vdc.id, { name: unique('auto-on'), powerOn: true });
    await waitVappStatus(t, w.tokens.user, v.id, 'POWERED_ON');
  });

  it('answers 400 DUPLICATE_NAME for a name in use (case-insensitive), one 201 when two race', async () => {
    const name = unique('race');
    const [r1, r2] = await Promise.all([
      t.request('POST', path(), { token: w.tokens.user, body: { name, catalogItem: { name: 'fedora-server-small' } } }),
      t.request('POST', path(), { token: w.tokens.user, body: { name: name.toUpperCase(), catalogItem: { name: 'fedora-server-small' } } }),
    ]);
    expect([r1.status, r2.status].sort()).toEqual([201, 400]);
    const bad = [r1, r2].find((r) => r.status === 400)!;
    expect((await json(bad)).minorErrorCode).toBe('DUPLICATE_NAME');
  });

  it('answers 400 BAD_REQUEST for an empty parameter value, naming it and creating nothing', async () => {
    const before = t.db.select().from(vapps).all().length;
    const res = await t.request('POST', path(), { token: w.tokens.user, body: { name: unique('p'), catalogItem: { name: 'fedora-server-small' }, parameters: { CLOUD_USER_PASSWORD: '' } } });
    expect(res.status).toBe(400);
    const body = await json(res);
    expect(body.minorErrorCode).toBe('BAD_REQUEST');
    expect(body.message).toContain("'CLOUD_USER_PASSWORD'");
    expect(t.db.select().from(vapps).all().length).toBe(before);
  });

  it('answers 400 for unknown parameters and names a required one without a value, creating nothing', async () => {
    const before = t.db.select().from(vapps).all().length;
    const unknown = await t.request('POST', path(), { token: w.tokens.user, body: { name: unique('p'), catalogItem: { name: 'fedora-server-small' }, parameters: { NOPE: 'x' } } });
    expect(unknown.status).toBe(400);
    expect((await json(unknown)).message).toContain("'NOPE'");
    const missing = await t.request('POST', path(), { token: w.tokens.sys, body: { name: unique('p'), catalogItem: { name: REQUIRED_TEMPLATE } } });
    expect(missing.status).toBe(400);
    expect((await json(missing)).message).toContain('API_KEY');
    const long = await t.request('POST', path(), { token: w.tokens.user, body: { name: unique('p'), catalogItem: { name: 'fedora-server-small' }, parameters: { CLOUD_USER_PASSWORD: 'x'.repeat(4097) } } });
    expect(long.status).toBe(400);
    expect((await json(long)).message).toContain('4096');
    expect(t.db.select().from(vapps).all().length).toBe(before);
    const ok = await instantiateOk(t, w.tokens.sys, w.vdc.id, { name: unique('p'), catalogItem: { name: REQUIRED_TEMPLATE }, parameters: { API_KEY: 'k' } });
    expect(ok.status).toBe('INSTANTIATING');
  });

  it('answers 400 for bad bodies and unknown items', async () => {
    const cases: [unknown, string][] = [
      [{}, 'name'],
      [{ name: '' , catalogItem: { name: 'fedora-server-small' } }, 'name'],
      [{ name: 'x'.repeat(129), catalogItem: { name: 'fedora-server-small' } }, 'name'],
      [{ name: 5, catalogItem: { name: 'fedora-server-small' } }, 'name'],
      [{ name: 'a' }, 'catalogItem'],
      [{ name: 'a', catalogItem: { id: 'nope' } }, 'catalogItem.id'],
      [{ name: 'a', catalogItem: { id: `urn:vcloud:catalogitem:${randomUUID()}` } }, 'catalogItem.id'],
      [{ name: 'a', catalogItem: { name: 'no-such-template' } }, 'catalogItem.name'],
      [{ name: 'a', catalogItem: { name: 'fedora-server-small' }, parameters: 'x' }, 'parameters'],
      [{ name: 'a', catalogItem: { name: 'fedora-server-small' }, parameters: { A: 1 } }, 'parameters'],
      [{ name: 'a', catalogItem: { name: 'fedora-server-small' }, powerOn: 'yes' }, 'powerOn'],
      [[], ''],
    ];
    for (const [body, field] of cases) {
      const res = await t.request('POST', path(), { token: w.tokens.user, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((await json(res)).message, JSON.stringify(body)).toContain(field);
    }
    expect((await t.request('POST', path(), { token: w.tokens.user, raw: '{', headers: { 'content-type': 'application/json' } })).status).toBe(400);
    const empty = await t.request('POST', path(), { token: w.tokens.user, raw: '' });
    expect(empty.status).toBe(400);
    expect((await json(empty)).message).toContain('name');
    expect((await t.request('POST', instantiatePath('nope'), { token: w.tokens.user, body: { name: 'a' } })).status).toBe(400);
  });

  it('answers 403 for another org\'s VDC and for an unknown VDC', async () => {
    for (const id of [w.vdc.id, randomUUID()]) {
      const res = await t.request('POST', instantiatePath(id), { token: w.tokens.betaUser, body: { name: 'x', catalogItem: { name: 'fedora-server-small' } } });
      expect(res.status).toBe(403);
      expect((await json(res)).minorErrorCode).toBe('ACCESS_TO_RESOURCE_IS_FORBIDDEN');
    }
  });

  it('answers 400 BUSY_ENTITY for a disabled or not-ready VDC', async () => {
    const disabled = seedVdc(t.db, w.acme.id, unique('off'), { isEnabled: false, namespace: unique('vdc-off') });
    const res = await t.request('POST', instantiatePath(disabled.id), { token: w.tokens.user, body: { name: 'x', catalogItem: { name: 'fedora-server-small' } } });
    expect(res.status).toBe(400);
    expect(await json(res)).toMatchObject({ minorErrorCode: 'BUSY_ENTITY', message: expect.stringContaining('disabled') });
    const pending = seedVdc(t.db, w.acme.id, unique('pending'), { status: 'PENDING_CLUSTER', namespace: unique('vdc-p') });
    const res2 = await t.request('POST', instantiatePath(pending.id), { token: w.tokens.user, body: { name: 'x', catalogItem: { name: 'fedora-server-small' } } });
    expect(res2.status).toBe(400);
    expect(await json(res2)).toMatchObject({ minorErrorCode: 'BUSY_ENTITY', message: expect.stringContaining('PENDING_CLUSTER') });
  });

  it('answers 503 CLUSTER_UNAVAILABLE without a cluster', async () => {
    const bare = await makeTestApp();
    const bw = await vdcWorld(bare);
    const vdc = seedVdc(bare.db, bw.acme.id, 'dev');
    const res = await bare.request('POST', instantiatePath(vdc.id), { token: bw.tokens.user, body: { name: 'x', catalogItem: { name: 'fedora-server-small' } } });
    expect(res.status).toBe(503);
    expect((await json(res)).minorErrorCode).toBe('CLUSTER_UNAVAILABLE');
  });

  it('cleans up and answers 503 when the cluster fails to create the instance', async () => {
    const vdc = await clusterVdc(t, w.acme.id, unique('faulty'));
    cluster.sim.faults.inject({ verb: 'create', resource: 'templateinstances', status: 500, times: 1 });
    const res = await t.request('POST', instantiatePath(vdc.id), { token: w.tokens.user, body: { name: 'broken', catalogItem: { name: 'fedora-server-small' } } });
    expect(res.status).toBe(503);
    expect((await json(res)).minorErrorCode).toBe('CLUSTER_UNAVAILABLE');
    expect(t.db.select().from(vapps).where(eq(vapps.vdcId, vdc.id)).all()).toEqual([]);
    expect(await secretsOf(vdc.namespace)).not.toContain('broken-params');
    expect(await instancesOf(vdc.namespace)).toEqual([]);
    // The name is free again once the failure is cleaned up.
    await instantiateOk(t, w.tokens.user, vdc.id, { name: 'broken' });
  });

  it('answers 400 when the cluster refuses the instance (409), leaving nothing behind', async () => {
    const vdc = await clusterVdc(t, w.acme.id, unique('reject'));
    cluster.sim.faults.inject({ verb: 'create', resource: 'templateinstances', status: 409, times: 1 });
    const res = await t.request('POST', instantiatePath(vdc.id), { token: w.tokens.user, body: { name: 'rejected', catalogItem: { name: 'fedora-server-small' } } });
    expect(res.status, JSON.stringify(await res.clone().json())).toBe(400);
    expect(t.db.select().from(vapps).where(eq(vapps.vdcId, vdc.id)).all()).toEqual([]);
    expect(await secretsOf(vdc.namespace)).not.toContain('rejected-params');
  });

  it('answers 503 when the Secret cannot be created', async () => {
    const vdc = await clusterVdc(t, w.acme.id, unique('nosecret'));
    cluster.sim.faults.inject({ verb: 'create', resource: 'secrets', status: 503, times: 1 });
    const res = await t.request('POST', instantiatePath(vdc.id), { token: w.tokens.user, body: { name: 'nosecret', catalogItem: { name: 'fedora-server-small' } } });
    expect(res.status).toBe(503);
    expect(t.db.select().from(vapps).where(eq(vapps.vdcId, vdc.id)).all()).toEqual([]);
    expect(await instancesOf(vdc.namespace)).toEqual([]);
  });

});
