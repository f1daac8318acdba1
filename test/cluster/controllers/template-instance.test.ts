/**
 * The simulated OpenShift TemplateInstance controller, driven only through @kubernetes/client-node:
 * against a fresh simulator, and again against SSVIRT_TEST_KUBECONFIG's API server when it is set.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleTemplates } from '../templates/index.ts';
import { ForbiddenError, forbiddenMessage, type ResourceAttributes } from './authorize.ts';
import { startControllers, TEMPLATE_INSTANCE_FINALIZER, TEMPLATE_INSTANCE_OWNER } from './index.ts';
import {
  getVm,
  kv,
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
      expect(await run('nosecret')).toMatchObject({ type: 'InstantiateFailure', reason: 'Failed', message: 'secrets "params" is forbidden: denied by test' });
      deny = (a) => a.resource === 'templateconfigs';
      expect(await run('notpl')).toMatchObject({ message: 'templateconfigs.template.openshift.io "tpl" is forbidden: denied by test' });
      deny = (a) => a.verb === 'create' && a.resource === 'secrets';
      expect(await run('noobj')).toMatchObject({ message: 'secrets "noobj-obj" is forbidden: denied by test' });
      // Nothing is created when a review fails.
      await expect(c.core.readNamespacedSecret({ namespace: ns, name: 'noobj-obj' })).rejects.toMatchObject({ code: 404 });
    } finally {
      await controllers.stop();
      await c.stop();
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
