/** The sample VM templates: their format, loading them (idempotently), and the benchmark generator. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processTemplate } from '../controllers/process.ts';
import { REAL_KUBECONFIG, realCluster, realSuiteTitle, simulatorCluster, tmpl, type TestCluster } from '../controllers/test-support.ts';
import { applyTemplates, loadSampleTemplates, makeTemplates, sampleTemplates } from './index.ts';

const label = (t: any, prefix: string) => Object.keys(t.metadata.labels ?? {}).filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length));

describe('sample templates', () => {
  const templates = sampleTemplates();

  it('cover at least three operating systems, each in two sizes', () => {
    const byOs = new Map<string, Set<string>>();
    for (const t of templates) {
      const [os] = label(t, 'os.template.kubevirt.io/');
      const [flavor] = label(t, 'flavor.template.kubevirt.io/');
      byOs.set(os!, (byOs.get(os!) ?? new Set()).add(flavor!));
    }
    expect(byOs.size).toBeGreaterThanOrEqual(3);
    for (const flavors of byOs.values()) expect(flavors.size).toBeGreaterThanOrEqual(2);
    const linux = [...byOs.entries()].filter(([os]) => !os.startsWith('win'));
    expect(linux.filter(([, f]) => f.has('small') && f.has('medium')).length).toBeGreaterThanOrEqual(3);
  });

  it.each(templates.map((t) => [t.metadata!.name!, t] as const))('%s has the common-template labels, annotations and parameters', (_name, t: any) => {
    const [os] = label(t, 'os.template.kubevirt.io/');
    expect(t.metadata.labels).toMatchObject({
      'template.kubevirt.io/type': 'base',
      'workload.template.kubevirt.io/server': 'true',
      'template.kubevirt.io/version': expect.any(String),
    });
    expect(label(t, 'flavor.template.kubevirt.io/')).toHaveLength(1);
    expect(t.metadata.annotations).toMatchObject({
      'openshift.io/display-name': expect.any(String),
      description: expect.any(String),
      iconClass: expect.stringMatching(/^icon-/),
      tags: expect.stringContaining('kubevirt'),
      'openshift.io/provider-display-name': expect.any(String),
      'template.kubevirt.io/provider': expect.any(String),
      [`name.os.template.kubevirt.io/${os}`]: expect.any(String),
    });
    expect(t.metadata.annotations.tags.split(',')).not.toContain('hidden');
    const params = Object.fromEntries(t.parameters.map((p: any) => [p.name, p]));
    expect(params.NAME).toMatchObject({ generate: 'expression', from: expect.stringMatching(/\[a-z0-9\]\{16\}$/) });
    expect(params.DATA_SOURCE_NAME.value).toBeTruthy();
    expect(params.DATA_SOURCE_NAMESPACE.value).toBeTruthy();

    expect(t.objects).toHaveLength(1);
    const vm = t.objects[0];
    expect(vm).toMatchObject({ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name: '${NAME}' }, spec: { runStrategy: 'Halted' } });
    expect(vm.spec.template.spec.domain.cpu).toEqual({ sockets: expect.any(Number), cores: expect.any(Number), threads: expect.any(Number) });
    expect(vm.spec.template.spec.domain.memory.guest).toMatch(/^\d+Gi$/);
    if (!os!.startsWith('win')) {
      expect(params.CLOUD_USER_PASSWORD).toMatchObject({ generate: 'expression', from: '[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}' });
      expect(JSON.stringify(vm.spec.template.spec.volumes)).toContain('${CLOUD_USER_PASSWORD}');
      expect(t.metadata.annotations['template.kubevirt.io/containerdisks']).toBeTruthy();
    }

    // Processing with no parameters gives a complete VM.
    const { objects } = processTemplate(t, {});
    expect(objects[0]!.metadata.name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    expect(JSON.stringify(objects[0])).not.toContain('${');
  });

  it('sizes differ in CPU or memory', () => {
    const shapes = new Set(templates.map((t: any) => JSON.stringify([t.objects[0].spec.template.spec.domain.cpu, t.objects[0].spec.template.spec.domain.memory])));
    expect(shapes.size).toBeGreaterThanOrEqual(3);
  });
});

describe('makeTemplates', () => {
  it('returns n distinct, valid templates with varied sizes', () => {
    const many = makeTemplates(1000);
    expect(many).toHaveLength(1000);
    expect(new Set(many.map((t) => t.metadata!.name)).size).toBe(1000);
    for (const t of many) expect(t.metadata!.name).toMatch(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/);
    const flavors = new Set(many.map((t) => label(t, 'flavor.template.kubevirt.io/')[0]));
    expect(flavors).toEqual(new Set(['small', 'medium', 'large']));
    const os = new Set(many.map((t) => label(t, 'os.template.kubevirt.io/')[0]));
    expect(os.size).toBeGreaterThanOrEqual(3);
    expect(new Set(many.map((t: any) => t.objects[0].spec.template.spec.domain.memory.guest)).size).toBe(3);
  });
});

function loading(connect: () => Promise<TestCluster>) {
  let c: TestCluster;
  beforeAll(async () => {
    c = await connect();
  });
  afterAll(async () => {
    await c?.stop();
  });

  const list = async (ns: string) => ((await c.custom.listNamespacedCustomObject({ ...tmpl('templates', ns) })) as any).items as any[];

  it('loads the samples into a namespace it creates, idempotently', async () => {
    const ns = c.real ? await c.namespace('tpl') : 'openshift';
    const count = await loadSampleTemplates(c.kc, ns);
    expect(count).toBe(sampleTemplates().length);
    const first = await list(ns);
    expect(first.map((t) => t.metadata.name).sort()).toEqual(sampleTemplates().map((t) => t.metadata!.name).sort());

    expect(await loadSampleTemplates(c.kc, ns)).toBe(count);
    const second = await list(ns);
    expect(second.map((t) => t.metadata.resourceVersion)).toEqual(first.map((t) => t.metadata.resourceVersion));

    // A changed template is put back.
    await c.custom.patchNamespacedCustomObject(
      { ...tmpl('templates', ns), name: 'fedora-server-small', body: [{ op: 'replace', path: '/parameters/1/value', value: 'changed' }] },
    );
    await loadSampleTemplates(c.kc, ns);
    const restored: any = await c.custom.getNamespacedCustomObject({ ...tmpl('templates', ns), name: 'fedora-server-small' });
    expect(restored.parameters[1].value).toBe('fedora');
  });

  it('applies generated templates in bulk', async () => {
    const ns = await c.namespace('bulk');
    expect(await applyTemplates(c.kc, makeTemplates(40), ns)).toBe(40);
    expect(await list(ns)).toHaveLength(40);
  });
}

describe('loading templates into the simulator', () => {
  loading(() => simulatorCluster({ controllers: false }));
});

describe.skipIf(!REAL_KUBECONFIG)(
  realSuiteTitle('loading templates'),
  () => {
    loading(() => realCluster({ controllers: false }));
  },
);
