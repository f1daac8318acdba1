/**
 * The simulated OpenShift TemplateInstance controller, driven only through @kubernetes/client-node:
 * against a fresh simulator, and again against SSVIRT_TEST_KUBECONFIG's API server when it is set.
 */
import { NetworkingV1Api, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleTemplates } from '../templates/index.ts';
import { ForbiddenError, forbiddenMessage, type ResourceAttributes } from './authorize.ts';
import { startControllers, TEMPLATE_INSTANCE_FINALIZER, TEMPLATE_INSTANCE_OWNER, type RunningControllers } from './index.ts';
import { gvkKey, OPENSHIFT_READINESS_CHECKS, type ReadinessCheck } from './readiness.ts';
import {
  getVm,
  kv,
  mergePatch,
  REAL_KUBECONFIG,
  realCluster,
  realSuiteTitle,
  simulatorCluster,
  tmpl,
  waitFor,
  type TestCluster,
} from './test-support.ts';

function suite(connect: () => Promise<TestCluster>) {
  let c: TestCluster;
  let ns: string;
  beforeAll(async () => {
    c = await connect();
    ns = await c.namespace('ti');
  });
  afterAll(async () => {
    await c?.stop();
  });

  async function instantiate(name: string, template: unknown, params?: Record<string, string>): Promise<any> {
    if (params) {
      await c.core.createNamespacedSecret({ namespace: ns, body: { metadata: { name: `${name}-params` }, stringData: params } });
    }
    return c.custom.createNamespacedCustomObject({
      ...tmpl('templateinstances', ns),
      body: {
        apiVersion: 'template.openshift.io/v1',
        kind: 'TemplateInstance',
        metadata: { name },
        spec: { template, ...(params ? { secret: { name: `${name}-params` } } : {}) },
      },
    });
  }

  async function settled(name: string): Promise<any> {
    return waitFor(`TemplateInstance ${name} to settle`, async () => {
      const ti: any = await c.custom.getNamespacedCustomObject({ ...tmpl('templateinstances', ns), name });
      const done = (ti.status?.conditions ?? []).some((x: any) => ['Ready', 'InstantiateFailure'].includes(x.type) && x.status === 'True');
      return done ? ti : undefined;
    });
  }

  const fedora = () => sampleTemplates().find((t) => t.metadata?.name === 'fedora-server-small')!;

  it('processes an instance into its VM labelled with the owner uid, then reports Ready and the object refs', async () => {
    const created = await instantiate('web', fedora(), { NAME: 'web-vm' });
    const ti = await settled('web');
    expect(ti.status.conditions).toEqual([
      expect.objectContaining({ type: 'Ready', status: 'True', reason: 'Created', lastTransitionTime: expect.any(String) }),
    ]);
    const vm = await getVm(c, ns, 'web-vm');
    expect(vm.metadata.labels[TEMPLATE_INSTANCE_OWNER]).toBe(created.metadata.uid);
    expect(vm.metadata.labels['vm.kubevirt.io/template']).toBe('fedora-server-small');
    // OpenShift sets no ownerReference on instantiated objects; its finalizer cleans up instead.
    expect(vm.metadata.ownerReferences).toBeUndefined();
    expect(ti.metadata.finalizers).toContain(TEMPLATE_INSTANCE_FINALIZER);
    expect(ti.status.objects).toEqual([
      { ref: { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', name: 'web-vm', namespace: ns, uid: vm.metadata.uid } },
    ]);
    // Defaults and generators: DATA_SOURCE_NAME's value, CLOUD_USER_PASSWORD generated.
    expect(vm.spec.dataVolumeTemplates[0].spec.sourceRef).toEqual({ kind: 'DataSource', name: 'fedora', namespace: 'openshift-virtualization-os-images' });
    const userData: string = vm.spec.template.spec.volumes.find((v: any) => v.cloudInitNoCloud).cloudInitNoCloud.userData;
    expect(userData).toMatch(/password: [a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}\n/);
    expect(vm.spec.runStrategy).toBe('Halted');
  });

  it('generates NAME when the Secret does not give it', async () => {
    await instantiate('gen', fedora(), { CLOUD_USER_PASSWORD: 'pw' });
    const ti = await settled('gen');
    const ref = ti.status.objects[0].ref;
    expect(ref.name).toMatch(/^fedora-[a-z0-9]{16}$/);
    const vm = await getVm(c, ns, ref.name);
    expect(JSON.stringify(vm.spec.template.spec.volumes)).toContain('password: pw');
  });

  it('substitutes ${{PARAM}} as typed JSON for whole fields', async () => {
    const template = {
      metadata: { name: 'typed' },
      parameters: [
        { name: 'NAME', required: true },
        { name: 'CORES', value: '3' },
        { name: 'RUNNING', value: 'false' },
      ],
      objects: [
        {
          apiVersion: 'kubevirt.io/v1',
          kind: 'VirtualMachine',
          metadata: { name: '${NAME}', labels: { cores: 'c${CORES}' } },
          spec: { running: '${{RUNNING}}', template: { spec: { domain: { cpu: { cores: '${{CORES}}' }, devices: {} } } } },
        },
      ],
    };
    await instantiate('typed', template, { NAME: 'typed-vm' });
    const ti = await settled('typed');
    expect(ti.status.conditions[0].type).toBe('Ready');
    const vm = await getVm(c, ns, 'typed-vm');
    expect(vm.spec.running).toBe(false);
    expect(vm.spec.template.spec.domain.cpu.cores).toBe(3);
    expect(vm.metadata.labels.cores).toBe('c3');
  });

  it('fails with InstantiateFailure when a required parameter has no value, creating nothing', async () => {
    const template = { ...fedora(), parameters: [...fedora().parameters!, { name: 'OWNER', required: true }] };
    await instantiate('missing', template, { NAME: 'never-created' });
    const ti = await settled('missing');
    expect(ti.status.conditions).toEqual([
      expect.objectContaining({
        type: 'InstantiateFailure',
        status: 'True',
        reason: 'Failed',
        message: expect.stringContaining('parameter OWNER is required and must be specified'),
      }),
    ]);
    expect(ti.status.objects ?? []).toEqual([]);
    await expect(getVm(c, ns, 'never-created')).rejects.toMatchObject({ code: 404 });
  });

  it('fails with InstantiateFailure carrying the API server error when an object is rejected', async () => {
    await instantiate('rejected', fedora(), { NAME: 'Not_A_Valid_Name' });
    const ti = await settled('rejected');
    const failure = ti.status.conditions.find((x: any) => x.type === 'InstantiateFailure');
    expect(failure).toMatchObject({ status: 'True', reason: 'Failed' });
    expect(failure.message).toContain('unable to create kubevirt.io/v1, Resource=virtualmachines, Name=Not_A_Valid_Name:');
    expect(failure.message).toContain('is invalid');
  });

  it("fails an object of a kind the server does not serve with the RESTMapper's wording, creating the others", async () => {
    const template = {
      metadata: { name: 'unmapped' },
      objects: [
        { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'unmapped-ok' }, stringData: { a: 'b' } },
        { apiVersion: 'kubevirt.io/v1', kind: 'NoSuchKind', metadata: { name: 'x' } },
        { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'y' } },
      ],
    };
    await instantiate('unmapped', template);
    const ti = await settled('unmapped');
    expect(ti.status.conditions).toEqual([
      expect.objectContaining({
        type: 'InstantiateFailure',
        status: 'True',
        reason: 'Failed',
        message:
          'unable to identify the resource mapping for kubevirt.io/v1, Kind=NoSuchKind: no matches for kind "NoSuchKind" in version "kubevirt.io/v1"\n' +
          'unable to identify the resource mapping for example.com/v1, Kind=Widget: no matches for kind "Widget" in version "example.com/v1"',
      }),
    ]);
    expect(ti.status.objects.map((o: any) => o.ref.name)).toEqual(['unmapped-ok']);
    expect((await c.core.readNamespacedSecret({ namespace: ns, name: 'unmapped-ok' })).metadata?.labels?.[TEMPLATE_INSTANCE_OWNER]).toBe(ti.metadata.uid);
  });

  it('takes a parameter given with an empty value in the Secret as given: no generator, and required fails', async () => {
    const template = {
      metadata: { name: 'empty-param' },
      objects: [{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'empty-s${SUFFIX}' }, stringData: { a: 'x${SUFFIX}x' } }],
      parameters: [
        { name: 'SUFFIX', generate: 'expression', from: '[a-z]{8}' },
        { name: 'OWNER', generate: 'expression', from: '[a-z]{8}', required: true },
      ],
    };
    // OWNER is not given: generated, so the instance succeeds; SUFFIX is given empty: no generator.
    await instantiate('empty-ok', template, { SUFFIX: '' });
    const ok = await settled('empty-ok');
    expect(ok.status.conditions[0]).toMatchObject({ type: 'Ready', status: 'True' });
    const secret = await c.core.readNamespacedSecret({ namespace: ns, name: 'empty-s' });
    expect(Buffer.from(secret.data!.a!, 'base64').toString()).toBe('xx');

    // OWNER given empty: its generator is off, and a required parameter without a value fails.
    await instantiate('empty-required', template, { SUFFIX: 'a', OWNER: '' });
    const failed = await settled('empty-required');
    expect(failed.status.conditions).toEqual([
      expect.objectContaining({
        type: 'InstantiateFailure',
        reason: 'Failed',
        message:
          'unable to process Template objects: Template.template.openshift.io "empty-param" is invalid: template.parameters[1]: Required value: parameter OWNER is required and must be specified',
      }),
    ]);
    await expect(c.core.readNamespacedSecret({ namespace: ns, name: 'empty-sa' })).rejects.toMatchObject({ code: 404 });
  });

  it('fails when the referenced Secret does not exist', async () => {
    await c.custom.createNamespacedCustomObject({
      ...tmpl('templateinstances', ns),
      body: { apiVersion: 'template.openshift.io/v1', kind: 'TemplateInstance', metadata: { name: 'nosecret' }, spec: { template: fedora(), secret: { name: 'absent' } } },
    });
    const ti = await settled('nosecret');
    expect(ti.status.conditions[0]).toMatchObject({ type: 'InstantiateFailure', message: expect.stringContaining('unable to retrieve TemplateInstance Secret') });
  });

  it('retries transient API errors (as client-go would) and fails on a refusal', async (ctx) => {
    if (!c.faults) return ctx.skip();
    const id = c.faults.inject({ verb: 'create', resource: 'virtualmachines', status: 503, times: 2 });
    await instantiate('flaky', fedora(), { NAME: 'flaky-vm' });
    const ok = await settled('flaky');
    c.faults.clear(id);
    expect(ok.status.conditions[0]).toMatchObject({ type: 'Ready', status: 'True' });
    expect((await getVm(c, ns, 'flaky-vm')).metadata.name).toBe('flaky-vm');

    const refused = c.faults.inject({ verb: 'create', resource: 'virtualmachines', status: 403, times: 1 });
    await instantiate('refused', fedora(), { NAME: 'refused-vm' });
    const failed = await settled('refused');
    c.faults.clear(refused);
    expect(failed.status.conditions[0]).toMatchObject({ type: 'InstantiateFailure', message: expect.stringContaining('Name=refused-vm:') });
  });

  it('is restart-safe: an instance processed again adopts its own existing objects', async () => {
    await instantiate('again', fedora(), { NAME: 'again-vm' });
    const first = await settled('again');
    const uid = first.status.objects[0].ref.uid;
    // As if the controller had crashed before writing its status: clear it, restart the controllers.
    await c.custom.replaceNamespacedCustomObjectStatus({
      ...tmpl('templateinstances', ns),
      name: 'again',
      body: { ...first, status: {} },
    });
    await c.restartControllers();
    const second = await settled('again');
    expect(second.status.conditions[0]).toMatchObject({ type: 'Ready', status: 'True' });
    expect(second.status.objects[0].ref.uid).toBe(uid);
  });

  it('deletes the instantiated objects when the instance is deleted (finalizer)', async () => {
    await instantiate('gone', fedora(), { NAME: 'gone-vm' });
    await settled('gone');
    await c.custom.deleteNamespacedCustomObject({ ...tmpl('templateinstances', ns), name: 'gone', propagationPolicy: 'Foreground' });
    await waitFor('VM gone-vm to be deleted', async () =>
      getVm(c, ns, 'gone-vm').then(() => false, (e) => (e as { code?: number }).code === 404),
    );
    await waitFor('instance gone to be deleted', async () =>
      c.custom.getNamespacedCustomObject({ ...tmpl('templateinstances', ns), name: 'gone' }).then(() => false, (e) => e.code === 404),
    );
    const left = (await c.custom.listNamespacedCustomObject({ ...kv('virtualmachines', ns) })) as any;
    expect(left.items.map((v: any) => v.metadata.name)).not.toContain('gone-vm');
  });
}

describe('TemplateInstance controller with requireRequester', () => {
  it('fails an instance without spec.requester.username as OpenShift does, and processes one with it', async () => {
    const c = await simulatorCluster({ controllers: false });
    // The reviews themselves are tested below; this test is about the username check alone.
    const controllers = await startControllers(c.kc, { requireRequester: true, authorizeRequester: false });
    try {
      const ns = await c.namespace('req');
      const create = (name: string, spec: Record<string, unknown>) =>
        c.custom.createNamespacedCustomObject({
          ...tmpl('templateinstances', ns),
          body: { apiVersion: 'template.openshift.io/v1', kind: 'TemplateInstance', metadata: { name }, spec },
        });
      const template = { objects: [{ apiVersion: 'v1', kind: 'Secret', metadata: { name: '${N}' }, stringData: { a: 'b' } }], parameters: [{ name: 'N', value: 's1' }] };
      await create('without', { template });
      await create('with', { template: { ...template, parameters: [{ name: 'N', value: 's2' }] }, requester: { username: 'system:serviceaccount:ssvirt:ssvirt' } });
      const conditionOf = (name: string) =>
        waitFor(`${name} to settle`, async () => {
          const ti: any = await c.custom.getNamespacedCustomObject({ ...tmpl('templateinstances', ns), name });
          return ti.status?.conditions?.[0];
        });
      expect(await conditionOf('without')).toMatchObject({ type: 'InstantiateFailure', reason: 'Failed', message: 'spec.requester.username not set' });
      expect(await conditionOf('with')).toMatchObject({ type: 'Ready', status: 'True' });
      expect((await c.core.readNamespacedSecret({ namespace: ns, name: 's2' })).metadata?.labels?.[TEMPLATE_INSTANCE_OWNER]).toBeTruthy();
    } finally {
      await controllers.stop();
      await c.stop();
    }
  });
});

describe('TemplateInstance controller requester reviews', () => {
  it('reviews Secret get, templateconfigs create and each object create, in order, and fails on a denial', async () => {
    const c = await simulatorCluster({ controllers: false });
    const asked: ResourceAttributes[] = [];
    let deny: ((a: ResourceAttributes) => boolean) = () => false;
    const controllers = await startControllers(c.kc, {
      authorizeRequester: async (requester, attrs) => {
        expect(requester.username).toBe('alice');
        asked.push(attrs);
        if (deny(attrs)) throw new ForbiddenError(forbiddenMessage(attrs.group, attrs.resource, attrs.name, 'denied by test'));
      },
    });
    try {
      const ns = await c.namespace('sar');
      await c.core.createNamespacedSecret({ namespace: ns, body: { metadata: { name: 'params' }, stringData: { N: 'obj' } } });
      const run = async (name: string) => {
        await c.custom.createNamespacedCustomObject({
          ...tmpl('templateinstances', ns),
          body: {
            apiVersion: 'template.openshift.io/v1',
            kind: 'TemplateInstance',
            metadata: { name },
            spec: {
              secret: { name: 'params' },
              requester: { username: 'alice' },
              template: {
                metadata: { name: 'tpl' },
                objects: [{ apiVersion: 'v1', kind: 'Secret', metadata: { name: `${name}-\${N}` }, stringData: { a: 'b' } }],
                parameters: [{ name: 'N', required: true }],
              },
            },
          },
        });
        return waitFor(`${name} to settle`, async () => {
          const ti: any = await c.custom.getNamespacedCustomObject({ ...tmpl('templateinstances', ns), name });
          return ti.status?.conditions?.[0];
        });
      };
      expect(await run('ok')).toMatchObject({ type: 'Ready', status: 'True' });
      expect(asked).toEqual([
        { namespace: ns, verb: 'get', group: '', resource: 'secrets', name: 'params' },
        { namespace: ns, verb: 'create', group: 'template.openshift.io', resource: 'templateconfigs', name: 'tpl' },
        { namespace: ns, verb: 'create', group: '', resource: 'secrets', name: 'ok-obj' },
      ]);
      deny = (a) => a.verb === 'get';
      expect(await run('nosecret')).toMatchObject({
        type: 'InstantiateFailure',
        reason: 'Failed',
        message: 'unable to authorize user to retrive TemplateInstance Secret: secrets "params" is forbidden: denied by test',
      });
      deny = (a) => a.resource === 'templateconfigs';
      expect(await run('notpl')).toMatchObject({
        message: 'unable to authorize user to create TemplateConfig : templateconfigs.template.openshift.io "tpl" is forbidden: denied by test',
      });
      deny = (a) => a.verb === 'create' && a.resource === 'secrets';
      expect(await run('noobj')).toMatchObject({
        message: 'unable to authorize user to create /v1, Resource=secrets, Name=noobj-obj: secrets "noobj-obj" is forbidden: denied by test',
      });
      // Nothing is created when a review fails.
      await expect(c.core.readNamespacedSecret({ namespace: ns, name: 'noobj-obj' })).rejects.toMatchObject({ code: 404 });
    } finally {
      await controllers.stop();
      await c.stop();
    }
  });
});

describe('TemplateInstance controller kind mapping', () => {
  it('reviews and creates each object at the resource and scope discovery gives, and fails an unserved kind before any create', async () => {
    const c = await simulatorCluster({ controllers: false });
    const asked: ResourceAttributes[] = [];
    const controllers = await startControllers(c.kc, { authorizeRequester: async (_r, attrs) => void asked.push(attrs) });
    try {
      const ns = await c.namespace('map');
      const role = `${ns}-viewer`;
      const run = async (name: string, objects: unknown[]) => {
        await c.custom.createNamespacedCustomObject({
          ...tmpl('templateinstances', ns),
          body: { apiVersion: 'template.openshift.io/v1', kind: 'TemplateInstance', metadata: { name }, spec: { requester: { username: 'alice' }, template: { metadata: { name: 'tpl' }, objects } } },
        });
        return waitFor(`${name} to settle`, async () => {
          const ti: any = await c.custom.getNamespacedCustomObject({ ...tmpl('templateinstances', ns), name });
          return ti.status?.conditions?.[0] ? ti : undefined;
        });
      };
      const clusterRole = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: role, namespace: 'ignored' }, rules: [] };
      const policy = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'deny' }, spec: { podSelector: {} } };
      const ok = await run('mapped', [clusterRole, policy]);
      expect(ok.status.conditions[0]).toMatchObject({ type: 'Ready', status: 'True' });
      expect(asked.filter((a) => a.verb === 'create' && a.resource !== 'templateconfigs')).toEqual([
        { namespace: '', verb: 'create', group: 'rbac.authorization.k8s.io', resource: 'clusterroles', name: role },
        { namespace: ns, verb: 'create', group: 'networking.k8s.io', resource: 'networkpolicies', name: 'deny' },
      ]);
      expect(ok.status.objects.map((o: any) => o.ref)).toEqual([
        expect.objectContaining({ kind: 'ClusterRole', namespace: '', name: role }),
        expect.objectContaining({ kind: 'NetworkPolicy', namespace: ns, name: 'deny' }),
      ]);
      await c.kc.makeApiClient(RbacAuthorizationV1Api).readClusterRole({ name: role });

      asked.length = 0;
      const failed = await run('unmapped', [{ ...policy, metadata: { name: 'deny2' } }, { apiVersion: 'kubevirt.io/v1', kind: 'NoSuchKind', metadata: { name: 'x' } }]);
      expect(failed.status.conditions[0]).toMatchObject({
        type: 'InstantiateFailure',
        message: 'unable to identify the resource mapping for kubevirt.io/v1, Kind=NoSuchKind: no matches for kind "NoSuchKind" in version "kubevirt.io/v1"',
      });
      // With a requester, OpenShift maps and reviews every object before creating any.
      expect(asked.map((a) => a.resource)).toEqual(['templateconfigs', 'networkpolicies']);
      await expect(c.kc.makeApiClient(NetworkingV1Api).readNamespacedNetworkPolicy({ namespace: ns, name: 'deny2' })).rejects.toMatchObject({ code: 404 });
    } finally {
      await controllers.stop();
      await c.stop();
    }
  });
});

describe('TemplateInstance controller wait-for-ready', () => {
  // The simulator serves none of the kinds OpenShift checks (Deployment, Job, Route, …): a stand-in
  // check for DataVolumes, which the simulated CDI moves to Succeeded once their DataSource is Ready.
  const dataVolumeCheck: ReadinessCheck = (dv) => ({ ready: dv.status?.phase === 'Succeeded', failed: dv.status?.phase === 'Failed' });
  const WAIT = { 'template.alpha.openshift.io/wait-for-ready': 'true' };
  let c: TestCluster;
  let controllers: RunningControllers;
  let ns: string;
  let imagesNs: string;
  let skewMs = 0;
  beforeAll(async () => {
    c = await simulatorCluster({ controllers: false });
    controllers = await startControllers(c.kc, {
      stepDelayMs: 10,
      templateReadiness: {
        pollMs: 20,
        now: () => Date.now() + skewMs,
        checks: new Map([...OPENSHIFT_READINESS_CHECKS, [gvkKey('cdi.kubevirt.io/v1beta1', 'DataVolume'), dataVolumeCheck]]),
      },
      authorizeRequester: async (requester, attrs) => {
        if (requester.username === 'mallory' && attrs.verb === 'get') throw new ForbiddenError(forbiddenMessage(attrs.group, attrs.resource, attrs.name, 'denied by test'));
      },
    });
    ns = await c.namespace('wait');
    imagesNs = await c.namespace('images');
  });
  afterAll(async () => {
    await controllers?.stop();
    await c?.stop();
  });

  const dataVolume = (name: string, source: string, annotations: Record<string, string> = WAIT) => ({
    apiVersion: 'cdi.kubevirt.io/v1beta1',
    kind: 'DataVolume',
    metadata: { name, annotations },
    spec: { sourceRef: { kind: 'DataSource', namespace: imagesNs, name: source }, storage: {} },
  });
  async function instantiate(name: string, objects: unknown[], requester?: string): Promise<void> {
    await c.custom.createNamespacedCustomObject({
      ...tmpl('templateinstances', ns),
      body: {
        apiVersion: 'template.openshift.io/v1',
        kind: 'TemplateInstance',
        metadata: { name },
        spec: { template: { metadata: { name: 'tpl' }, objects }, ...(requester ? { requester: { username: requester } } : {}) },
      },
    });
  }
  const instance = async (name: string) => (await c.custom.getNamespacedCustomObject({ ...tmpl('templateinstances', ns), name })) as any;
  const condition = (ti: any, type: string) => ti.status?.conditions?.find((x: any) => x.type === type);
  const waiting = (name: string) =>
    waitFor(`${name} to wait`, async () => {
      const ti = await instance(name);
      return condition(ti, 'Ready')?.reason === 'Waiting' ? ti : undefined;
    });
  const settled = (name: string) =>
    waitFor(`${name} to settle`, async () => {
      const ti = await instance(name);
      return ti.status?.conditions?.some((x: any) => ['Ready', 'InstantiateFailure'].includes(x.type) && x.status === 'True') ? ti : undefined;
    });
  async function dataSource(name: string, ready: boolean): Promise<void> {
    const api = { group: 'cdi.kubevirt.io', version: 'v1beta1', plural: 'datasources', namespace: imagesNs };
    await c.custom.createNamespacedCustomObject({ ...api, body: { apiVersion: 'cdi.kubevirt.io/v1beta1', kind: 'DataSource', metadata: { name }, spec: { source: {} } } });
    const status = ready ? 'True' : 'False';
    await c.custom.patchNamespacedCustomObjectStatus({ ...api, name, body: { status: { conditions: [{ type: 'Ready', status, reason: status === 'True' ? 'Ready' : 'NotFound' }] } } }, mergePatch);
  }

  it('keeps the instance Ready=False reason Waiting until an annotated object of a checkable kind reports ready', async () => {
    await instantiate('slow', [dataVolume('slow-disk', 'slow-image')]);
    const ti = await waiting('slow');
    expect(ti.status.conditions).toEqual([
      expect.objectContaining({ type: 'Ready', status: 'False', reason: 'Waiting', message: 'Waiting for instantiated objects to report ready' }),
    ]);
    expect(ti.status.objects).toEqual([{ ref: expect.objectContaining({ kind: 'DataVolume', name: 'slow-disk', namespace: ns }) }]);
    expect(ti.metadata.finalizers).toContain(TEMPLATE_INSTANCE_FINALIZER);

    await dataSource('slow-image', true);
    const ready = await settled('slow');
    // The Waiting condition is replaced in place, as OpenShift's setCondition does.
    expect(ready.status.conditions).toEqual([expect.objectContaining({ type: 'Ready', status: 'True', reason: 'Created' })]);
    expect(ready.status.conditions[0].message).toBeUndefined();
  });

  it('does not wait for objects it cannot check (VirtualMachine) nor for objects without the annotation', async () => {
    const vm = { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name: 'annotated-vm', annotations: WAIT }, spec: { runStrategy: 'Halted', template: { spec: { domain: { devices: {} } } } } };
    await instantiate('quick', [vm, dataVolume('plain-disk', 'no-such-image', {})]);
    const ti = await settled('quick');
    expect(ti.status.conditions).toEqual([expect.objectContaining({ type: 'Ready', status: 'True', reason: 'Created' })]);
  });

  it('fails the instance when a waited-for object fails', async () => {
    await instantiate('broken', [dataVolume('broken-disk', 'broken-image', { ...WAIT, 'sim.ssvirt.io/fail': 'true' })]);
    const ti = await settled('broken');
    // In either order: Ready was appended first if the instance waited before the DataVolume failed.
    expect(ti.status.conditions).toHaveLength(2);
    expect(ti.status.conditions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'Ready', status: 'False', reason: 'Failed', message: 'See InstantiateFailure condition for error message' }),
        expect.objectContaining({ type: 'InstantiateFailure', status: 'True', reason: 'Failed', message: `readiness failed on DataVolume ${ns}/broken-disk` }),
      ]),
    );
  });

  it('fails the instance when a waited-for object is deleted', async () => {
    await instantiate('orphan', [dataVolume('orphan-disk', 'orphan-image')]);
    await waiting('orphan');
    await c.custom.deleteNamespacedCustomObject({ group: 'cdi.kubevirt.io', version: 'v1beta1', plural: 'datavolumes', namespace: ns, name: 'orphan-disk' });
    const ti = await settled('orphan');
    expect(condition(ti, 'InstantiateFailure')).toMatchObject({ status: 'True', message: 'datavolumes.cdi.kubevirt.io "orphan-disk" not found' });
  });

  it("reviews the requester's get on each checked object", async () => {
    await instantiate('peek', [dataVolume('peek-disk', 'peek-image')], 'mallory');
    const ti = await settled('peek');
    expect(condition(ti, 'InstantiateFailure')).toMatchObject({ status: 'True', message: 'datavolumes.cdi.kubevirt.io "peek-disk" is forbidden: denied by test' });
  });

  it('gives up after the readiness timeout, counted from the instance creation', async () => {
    await dataSource('late-image', false);
    await instantiate('late', [dataVolume('late-disk', 'late-image')]);
    await waiting('late');
    skewMs = 2 * 60 * 60 * 1000;
    try {
      const ti = await settled('late');
      expect(ti.status.conditions).toEqual([
        expect.objectContaining({ type: 'Ready', status: 'False', reason: 'Failed', message: 'See InstantiateFailure condition for error message' }),
        expect.objectContaining({ type: 'InstantiateFailure', status: 'True', reason: 'Failed', message: 'timeout while waiting for template instance to be ready' }),
      ]);
    } finally {
      skewMs = 0;
    }
  });
});

describe('TemplateInstance controller against the simulator', () => {
  suite(() => simulatorCluster());
});

describe.skipIf(!REAL_KUBECONFIG)(
  realSuiteTitle('TemplateInstance controller'),
  () => {
    suite(() => realCluster());
  },
);
