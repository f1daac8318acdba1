/**
 * vApps as TemplateInstances against the Kubernetes API simulator (docs/kubernetes.md "vApp →
 * TemplateInstance"): the params Secret and the instance exactly as documented, the Secret's
 * ownerReference, idempotent retries, 409 handling, and deletion in the documented order.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '#test/cluster/index.ts';
import { KubeApi } from '#lib/k8s/api.ts';
import { K8sError } from '#lib/k8s/errors.ts';
import { createInstance, deleteInstanceObjects, instanceObjectsRemain, secretName, type InstanceSpec } from '#lib/k8s/instances.ts';
import { sampleTemplates } from '#test/cluster/templates/index.ts';
import { until } from '#test/support/wait.ts';

type Obj = Record<string, any>;
const NS = 'vdc-acme-dev';
const TI = { group: 'template.openshift.io', version: 'v1', namespace: NS, plural: 'templateinstances' } as const;
const VM = { group: 'kubevirt.io', version: 'v1', namespace: NS, plural: 'virtualmachines' } as const;
const OWNER = 'template.openshift.io/template-instance-owner';

let sim: Simulator;
let api: KubeApi;
let counter = 0;

beforeAll(async () => {
  sim = await startSimulator({ tls: true, gcDelayMs: 10 });
  await new KubeApi(sim.kubeConfig(), { timeoutMs: 3_000 }).core.createNamespace({ body: { metadata: { name: NS } } });
});
afterAll(async () => {
  await sim?.stop();
});
beforeEach(() => {
  sim.faults.clear();
  api = new KubeApi(sim.kubeConfig(), { timeoutMs: 3_000 });
});

/** A spec for a new vApp with its own instance name. */
function spec(extra: Partial<InstanceSpec> = {}): InstanceSpec {
  const n = ++counter;
  const template = sampleTemplates().find((t) => t.metadata?.name === 'fedora-server-small')!;
  template.metadata!.namespace = 'openshift';
  return {
    namespace: NS, instanceName: `web-${n}`, vappId: `7a1c0f00-0000-4000-8000-${String(n).padStart(12, '0')}`, vappName: `Web Server #${n}`,
    vdcId: 'f2d1e0c9-1b2a-4c3d-8e4f-5a6b7c8d9e0f', templateNamespace: 'openshift', templateName: 'fedora-server-small',
    template, parameters: { NAME: `web-${n}`, CLOUD_USER_PASSWORD: 's3cret' }, ...extra,
  };
}

const readSecret = (name: string) => api.core.readNamespacedSecret({ namespace: NS, name });
const readTi = (name: string) => api.custom.getNamespacedCustomObject({ ...TI, name }) as Promise<Obj>;
const b64 = (s: string) => Buffer.from(s).toString('base64');

async function vm(name: string, labels: Record<string, string>): Promise<void> {
  await api.custom.createNamespacedCustomObject({ ...VM, body: { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name, labels }, spec: { runStrategy: 'Halted', template: { spec: { domain: {} } } } } });
}
const vmNames = async () => ((await api.custom.listNamespacedCustomObject({ ...VM })) as Obj).items.map((v: Obj) => v.metadata.name).sort();

describe('createInstance', () => {
  it('creates the params Secret and the TemplateInstance of docs/kubernetes.md, then owns the Secret by the instance', async () => {
    const s = spec();
    const uid = await createInstance(api, s);
    const ti = await readTi(s.instanceName);
    expect(ti.metadata.uid).toBe(uid);
    expect(ti.metadata.labels).toEqual({
      'app.kubernetes.io/managed-by': 'ssvirt',
      'ssvirt.io/vapp-id': s.vappId,
      'ssvirt.io/vdc-id': s.vdcId,
      'ssvirt.io/template': 'fedora-server-small',
    });
    expect(ti.metadata.annotations).toEqual({
      'ssvirt.io/vapp-urn': `urn:vcloud:vapp:${s.vappId}`,
      'ssvirt.io/vapp-name': s.vappName,
      'ssvirt.io/template-namespace': 'openshift',
    });
    expect(ti.spec).toEqual({ template: s.template, secret: { name: `${s.instanceName}-params` } });

    const secret = await readSecret(secretName(s.instanceName));
    expect(secret.metadata?.name).toBe(`${s.instanceName}-params`);
    expect(secret.metadata?.labels).toEqual({ 'app.kubernetes.io/managed-by': 'ssvirt', 'ssvirt.io/vapp-id': s.vappId });
    expect(secret.type).toBe('Opaque');
    expect(secret.data).toEqual({ NAME: b64(s.parameters.NAME!), CLOUD_USER_PASSWORD: b64('s3cret') });
    expect(secret.metadata?.ownerReferences).toEqual([{ apiVersion: 'template.openshift.io/v1', kind: 'TemplateInstance', name: s.instanceName, uid }]);
  });

  it('cuts a long template name to a valid label value', async () => {
    const long = `my.template_${'x'.repeat(70)}`;
    const s = spec({ templateName: long });
    await createInstance(api, s);
    const label = (await readTi(s.instanceName)).metadata.labels['ssvirt.io/template'];
    expect(label).toBe(`my.template_${'x'.repeat(51)}`);
    expect(label).toHaveLength(63);
  });

  it('is a no-op when repeated: same uid, nothing rewritten', async () => {
    const s = spec();
    const uid = await createInstance(api, s);
    const before = [(await readTi(s.instanceName)).metadata.resourceVersion, (await readSecret(secretName(s.instanceName))).metadata?.resourceVersion];
    expect(await createInstance(api, s)).toBe(uid);
    const after = [(await readTi(s.instanceName)).metadata.resourceVersion, (await readSecret(secretName(s.instanceName))).metadata?.resourceVersion];
    expect(after).toEqual(before);
  });

  it('finishes a retry after the instance create failed, reusing the Secret already written', async () => {
    const s = spec();
    sim.faults.inject({ verb: 'create', resource: 'templateinstances', status: 503, times: 1 });
    await expect(createInstance(api, s)).rejects.toMatchObject({ kind: 'unavailable', status: 503 });
    expect((await readSecret(secretName(s.instanceName))).metadata?.ownerReferences).toBeUndefined();
    const uid = await createInstance(api, s);
    expect((await readSecret(secretName(s.instanceName))).metadata?.ownerReferences?.[0]?.uid).toBe(uid);
  });

  it("answers 409 alreadyExists for an instance name another vApp holds, leaving that vApp's objects alone", async () => {
    const theirs = spec();
    const theirUid = await createInstance(api, theirs);
    const before = (await readSecret(secretName(theirs.instanceName))).metadata?.resourceVersion;
    const err = await createInstance(api, spec({ instanceName: theirs.instanceName })).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(K8sError);
    expect(err).toMatchObject({ kind: 'alreadyExists', status: 409, message: `a TemplateInstance named ${theirs.instanceName} already exists in ${NS}` });
    expect((await readTi(theirs.instanceName)).metadata.uid).toBe(theirUid);
    expect((await readSecret(secretName(theirs.instanceName))).metadata?.resourceVersion).toBe(before);
  });

  it('passes other failures on', async () => {
    sim.faults.inject({ verb: 'create', resource: 'secrets', status: 403, times: 1 });
    await expect(createInstance(api, spec())).rejects.toMatchObject({ kind: 'forbidden' });
    sim.faults.inject({ verb: 'patch', resource: 'secrets', status: 500, times: 1 });
    await expect(createInstance(api, spec())).rejects.toMatchObject({ kind: 'unavailable', status: 500 });
  });
});

describe('deleteInstanceObjects', () => {
  it("deletes the instance, the VMs labelled with its uid and the Secret, and nobody else's VMs", async () => {
    const s = spec();
    const uid = await createInstance(api, s);
    await vm(`${s.instanceName}-a`, { [OWNER]: uid });
    await vm(`${s.instanceName}-b`, { [OWNER]: uid });
    await vm(`${s.instanceName}-other`, { [OWNER]: 'another-uid' });
    await vm(`${s.instanceName}-plain`, {});
    expect(await instanceObjectsRemain(api, NS, s.instanceName, uid)).toBe(true);
    expect(await deleteInstanceObjects(api, NS, s.instanceName, uid)).toBe(uid);
    await until('the objects to go', async () => !(await instanceObjectsRemain(api, NS, s.instanceName, uid)));
    const left = await vmNames();
    expect(left).toContain(`${s.instanceName}-other`);
    expect(left).toContain(`${s.instanceName}-plain`);
    expect(left).not.toContain(`${s.instanceName}-a`);
    await expect(api.call('get', 'secrets', (opt) => api.core.readNamespacedSecret({ namespace: NS, name: secretName(s.instanceName) }, opt))).rejects.toMatchObject({ kind: 'notFound' });
  });

  it('finds the uid itself when the row does not know it (a crash during creation)', async () => {
    const s = spec();
    const uid = await createInstance(api, s);
    await vm(`${s.instanceName}-a`, { [OWNER]: uid });
    expect(await deleteInstanceObjects(api, NS, s.instanceName, null)).toBe(uid);
    await until('the objects to go', async () => !(await instanceObjectsRemain(api, NS, s.instanceName, uid)));
  });

  it('counts missing objects as deleted, and can run again', async () => {
    expect(await deleteInstanceObjects(api, NS, 'never-created', null)).toBeNull();
    expect(await deleteInstanceObjects(api, NS, 'never-created', 'some-uid')).toBe('some-uid');
    const s = spec();
    const uid = await createInstance(api, s);
    await deleteInstanceObjects(api, NS, s.instanceName, uid);
    await deleteInstanceObjects(api, NS, s.instanceName, uid);
    await until('the objects to go', async () => !(await instanceObjectsRemain(api, NS, s.instanceName, uid)));
  });

  it('passes a cluster failure on, so the caller keeps the row', async () => {
    const s = spec();
    const uid = await createInstance(api, s);
    sim.faults.inject({ verb: 'delete', resource: 'templateinstances', status: 503, times: 1 });
    await expect(deleteInstanceObjects(api, NS, s.instanceName, uid)).rejects.toMatchObject({ kind: 'unavailable' });
    expect(await instanceObjectsRemain(api, NS, s.instanceName, uid)).toBe(true);
  });
});

describe('instanceObjectsRemain', () => {
  it('sees a leftover Secret or owned VM, and ignores VMs without a known uid', async () => {
    const name = `left-${++counter}`;
    expect(await instanceObjectsRemain(api, NS, name, null)).toBe(false);
    await api.core.createNamespacedSecret({ namespace: NS, body: { metadata: { name: secretName(name) } } });
    expect(await instanceObjectsRemain(api, NS, name, null)).toBe(true);
    await api.core.deleteNamespacedSecret({ namespace: NS, name: secretName(name) });
    await vm(`${name}-vm`, { [OWNER]: 'uid-of-left' });
    expect(await instanceObjectsRemain(api, NS, name, 'uid-of-left')).toBe(true);
    expect(await instanceObjectsRemain(api, NS, name, null)).toBe(false);
  });

  it('fails rather than answer "gone" while the cluster is away', async () => {
    sim.faults.inject({ verb: 'get', resource: 'templateinstances', status: 503, times: 1 });
    await expect(instanceObjectsRemain(api, NS, 'anything', null)).rejects.toMatchObject({ kind: 'unavailable' });
  });
});
