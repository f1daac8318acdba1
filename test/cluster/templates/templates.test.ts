/**
 * The sample VM templates: shaped like OpenShift Virtualization's common templates (and like the
 * templates users make), loading them with their boot sources and instancetypes (idempotently),
 * and the benchmark generator.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processTemplate } from '../controllers/process.ts';
import { REAL_KUBECONFIG, realCluster, realSuiteTitle, simulatorCluster, tmpl, type TestCluster } from '../controllers/test-support.ts';
import { applyInstancetypes, applyTemplates, defaultBootSources, loadSampleTemplates, makeTemplates, sampleInstancetypes, sampleTemplates } from './index.ts';

const label = (t: any, prefix: string, value = 'true') =>
  Object.entries(t.metadata.labels ?? {}).filter(([k, v]) => k.startsWith(prefix) && v === value).map(([k]) => k.slice(prefix.length));
const names = (ts: any[]) => ts.map((t) => t.metadata.name);
const type = (t: any) => t.metadata.labels?.['template.kubevirt.io/type'];
const vmOf = (t: any) => t.objects[0];
const deprecated = (t: any) => t.metadata.annotations?.['template.kubevirt.io/deprecated'] === 'true' || t.metadata.labels?.['template.kubevirt.io/deprecated'] === 'true';

describe('sample templates', () => {
  const templates = sampleTemplates();
  const common = templates.filter((t) => type(t) === 'base');

  it('are ten common templates of five OSes and two that users made', () => {
    expect(names(common)).toEqual([
      'centos-stream9-server-medium', 'centos-stream9-server-small', 'centos6-server-small',
      'fedora-server-medium', 'fedora-server-small',
      'rhel9-server-large', 'rhel9-server-medium', 'rhel9-server-small',
      'windows2k22-server-large', 'windows2k22-server-medium',
    ]);
    // `vm` is what the console's clone dialog and "save as template" write.
    expect(names(templates.filter((t) => type(t) === 'vm'))).toEqual(['acme-web-server', 'centos-stream9-u1-medium']);
    expect(templates).toHaveLength(common.length + 2);
  });

  it('share one display name across the flavours of an OS, so the name is the identifier', () => {
    const rhel = common.filter((t) => t.metadata!.name!.startsWith('rhel9-'));
    expect(rhel.map((t: any) => label(t, 'flavor.template.kubevirt.io/')[0]).sort()).toEqual(['large', 'medium', 'small']);
    expect(new Set(rhel.map((t) => t.metadata!.annotations!['openshift.io/display-name']))).toEqual(new Set(['Red Hat Enterprise Linux 9 VM']));
    expect(new Set(common.map((t) => t.metadata!.annotations!['openshift.io/display-name'])).size).toBeLessThan(common.length);
  });

  it.each(common.map((t) => [t.metadata!.name!, t] as const))('%s has the common-template labels, annotations, parameters and VM', (_name, t: any) => {
    const windows = t.metadata.name.startsWith('windows');
    // v0.25.0 bundles wrote memory as a request and ran VMs with `running`; later ones use memory.guest and runStrategy.
    const legacy = t.metadata.labels['template.kubevirt.io/version'] === 'v0.25.0';
    expect(t.metadata.labels).toMatchObject({ 'template.kubevirt.io/type': 'base', 'template.kubevirt.io/version': expect.stringMatching(/^v0\.\d+\.\d+$/) });
    const osIds = label(t, 'os.template.kubevirt.io/');
    expect(osIds.length).toBeGreaterThanOrEqual(1);
    expect(label(t, 'flavor.template.kubevirt.io/')).toHaveLength(1);
    expect(label(t, 'workload.template.kubevirt.io/')).toEqual(['server']);
    expect(t.metadata.annotations).toMatchObject({
      'openshift.io/display-name': expect.any(String),
      description: expect.any(String),
      iconClass: expect.stringMatching(/^icon-/),
      'openshift.io/provider-display-name': 'KubeVirt',
      'template.openshift.io/bindable': 'false',
      'template.kubevirt.io/version': 'v1alpha1',
      'defaults.template.kubevirt.io/disk': 'rootdisk',
    });
    // Every common template carries `hidden` (it keeps them out of the developer catalog).
    expect(t.metadata.annotations.tags.split(',').slice(0, 3)).toEqual(['hidden', 'kubevirt', 'virtualmachine']);
    const osNames = new Set(osIds.map((id) => t.metadata.annotations[`name.os.template.kubevirt.io/${id}`]));
    expect(osNames.size).toBe(1); // one per OS id, all reading alike
    expect([...osNames][0]).toEqual(expect.any(String));

    // NAME, DATA_SOURCE_NAME, DATA_SOURCE_NAMESPACE, CLOUD_USER_PASSWORD (Linux), in this order; none required or titled.
    expect(t.parameters.map((p: any) => p.name)).toEqual(['NAME', 'DATA_SOURCE_NAME', 'DATA_SOURCE_NAMESPACE', ...(windows ? [] : ['CLOUD_USER_PASSWORD'])]);
    for (const p of t.parameters) expect(p.required === undefined && p.displayName === undefined, p.name).toBe(true);
    const params = Object.fromEntries(t.parameters.map((p: any) => [p.name, p]));
    expect(params.NAME).toEqual({ name: 'NAME', description: 'VM name', generate: 'expression', from: `${t.metadata.name.replace(/-server-.*$/, '')}-[a-z0-9]{${windows ? 6 : 16}}` });
    expect(params.DATA_SOURCE_NAME.value).toMatch(/^[a-z0-9-]+$/);
    expect(params.DATA_SOURCE_NAMESPACE.value).toBe('openshift-virtualization-os-images');
    if (!windows) expect(params.CLOUD_USER_PASSWORD).toMatchObject({ generate: 'expression', from: '[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}' });

    expect(t.objects).toHaveLength(1);
    const vm = vmOf(t);
    expect(vm).toMatchObject({
      apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine',
      metadata: { name: '${NAME}', labels: { 'vm.kubevirt.io/template': t.metadata.name, app: '${NAME}' } },
      spec: { template: { metadata: { annotations: { 'vm.kubevirt.io/os': expect.any(String) } } } },
    });
    expect(vm.spec.dataVolumeTemplates).toHaveLength(1);
    expect(vm.spec.dataVolumeTemplates[0].spec.sourceRef).toEqual({ kind: 'DataSource', name: '${DATA_SOURCE_NAME}', namespace: '${DATA_SOURCE_NAMESPACE}' });
    const domain = vm.spec.template.spec.domain;
    expect(domain.cpu).toEqual({ sockets: expect.any(Number), cores: expect.any(Number), threads: expect.any(Number) });
    if (legacy) {
      expect(vm.spec).toMatchObject({ running: false });
      expect(vm.spec.runStrategy).toBeUndefined();
      expect(domain.resources.requests.memory).toMatch(/^\d+Gi$/);
      expect(domain.memory).toBeUndefined();
    } else {
      expect(vm.spec).toMatchObject({ runStrategy: 'Halted' });
      expect(vm.spec.running).toBeUndefined();
      expect(domain.memory.guest).toMatch(/^\d+Gi$/);
      expect(domain.resources).toBeUndefined();
      expect(t.metadata.labels['template.kubevirt.io/architecture']).toBe('amd64');
    }
    expect(vm.spec.instancetype).toBeUndefined(); // no common template uses one
    if (!windows) expect(JSON.stringify(vm.spec.template.spec.volumes)).toContain('${CLOUD_USER_PASSWORD}');
  });

  it('carry several OS labels on one template, one of them "false"', () => {
    const fedora = templates.find((t) => t.metadata!.name === 'fedora-server-small')!;
    expect(label(fedora, 'os.template.kubevirt.io/')).toEqual(['fedora40', 'fedora41']);
    expect(label(fedora, 'os.template.kubevirt.io/', 'false')).toEqual(['fedora39']);
    const rhel = templates.find((t) => t.metadata!.name === 'rhel9-server-small')!;
    expect(label(rhel, 'os.template.kubevirt.io/')).toHaveLength(7);
  });

  it('deprecate exactly one, by the annotation as the common-templates project does', () => {
    const old = templates.filter(deprecated);
    expect(names(old)).toEqual(['centos6-server-small']);
    expect(old[0]!.metadata!.labels!['template.kubevirt.io/deprecated']).toBeUndefined();
  });

  it('write memory both ways: resources.requests.memory (older bundles) and memory.guest', () => {
    const formats = (t: any) => Object.keys(vmOf(t).spec.template.spec.domain).filter((k) => k === 'memory' || k === 'resources');
    expect(names(templates.filter((t) => formats(t).includes('resources')))).toEqual(['centos-stream9-server-medium', 'centos-stream9-server-small', 'centos6-server-small']);
    expect(templates.filter((t) => formats(t).includes('memory')).length).toBeGreaterThanOrEqual(6);
  });

  it('include a user-made template with fewer annotations whose OS is only on its VM', () => {
    const t: any = templates.find((x) => x.metadata!.name === 'acme-web-server');
    expect(t.metadata.labels).toEqual({ 'template.kubevirt.io/type': 'vm' });
    expect(Object.keys(t.metadata.annotations).sort()).toEqual(['description', 'openshift.io/display-name']);
    expect(vmOf(t).spec.template.metadata.annotations['vm.kubevirt.io/os']).toBe('rhel9');
    // The boot source is written in, and the caller names the VM.
    expect(vmOf(t).spec.dataVolumeTemplates[0].spec.sourceRef).toEqual({ kind: 'DataSource', name: 'rhel9', namespace: 'openshift-virtualization-os-images' });
    expect(t.parameters).toEqual([{ name: 'NAME', displayName: 'VM name', description: 'Name of the new VM', required: true }]);
  });

  it('include a template sized by a cluster instancetype, which the samples also hold', () => {
    const t: any = templates.find((x) => x.metadata!.name === 'centos-stream9-u1-medium');
    const vm = vmOf(t);
    expect(vm.spec.instancetype).toEqual({ kind: 'VirtualMachineClusterInstancetype', name: 'u1.medium' });
    expect(vm.spec.preference).toEqual({ kind: 'VirtualMachineClusterPreference', name: 'centos.stream9' });
    expect(vm.spec.template.spec.domain.cpu).toBeUndefined();
    expect(vm.spec.template.spec.domain.memory).toBeUndefined();
    expect(vm.spec.template.spec.domain.resources).toBeUndefined();
    const objects = sampleInstancetypes() as any[];
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual(['VirtualMachineClusterInstancetype/u1.medium', 'VirtualMachineClusterPreference/centos.stream9']);
    expect(objects.find((o) => o.metadata.name === 'u1.medium').spec).toEqual({ cpu: { guest: 1 }, memory: { guest: '4Gi' } });
  });

  it.each(templates.map((t) => [t.metadata!.name!, t] as const))('%s processes into a complete VM', (_name, t: any) => {
    // Only the user-made template has a NAME without a generator (SSVirt fills it from the vApp name).
    const given: Record<string, string> = t.parameters.some((p: any) => p.required) ? { NAME: 'given-name' } : {};
    const { objects } = processTemplate(t, given);
    expect(objects[0]!.metadata.name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    expect(JSON.stringify(objects[0])).not.toContain('${');
  });

  it('boot from six DataSources, every one of them named by a template', () => {
    expect(defaultBootSources(templates).map((r) => `${r.namespace}/${r.name}`).sort()).toEqual(
      ['centos-stream9', 'centos6', 'fedora', 'rhel9', 'win2k22'].map((n) => `openshift-virtualization-os-images/${n}`),
    );
  });

  it('sizes differ in CPU or memory', () => {
    const domains = common.map((t: any) => vmOf(t).spec.template.spec.domain);
    const shapes = new Set(domains.map((d) => JSON.stringify([d.cpu, d.memory?.guest ?? d.resources?.requests?.memory])));
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
    for (const t of many) expect(label(t, 'flavor.template.kubevirt.io/')).toHaveLength(1);
    const os = new Set(many.map((t) => label(t, 'os.template.kubevirt.io/')[0]));
    expect(os.size).toBeGreaterThanOrEqual(3);
    // Neither the deprecated sample nor the user-made ones are copied.
    expect(many.filter((t) => deprecated(t) || type(t) !== 'base')).toEqual([]);
    const memory = (t: any) => vmOf(t).spec.template.spec.domain;
    expect(new Set(many.map((t) => memory(t).memory?.guest ?? memory(t).resources?.requests?.memory)).size).toBe(3);
    // The base's memory format is kept: one place says the size.
    for (const t of many) expect(Boolean(memory(t).memory) !== Boolean(memory(t).resources)).toBe(true);
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

  it('makes every boot source of the samples a Ready DataSource', async () => {
    await loadSampleTemplates(c.kc, c.real ? await c.namespace('tpl') : 'openshift');
    for (const ref of defaultBootSources(sampleTemplates())) {
      const ds: any = await c.custom.getNamespacedCustomObject({ group: 'cdi.kubevirt.io', version: 'v1beta1', plural: 'datasources', ...ref });
      expect(ds.status.conditions, `${ref.namespace}/${ref.name}`).toContainEqual(expect.objectContaining({ type: 'Ready', status: 'True' }));
    }
  });

  it('applies the instancetype, and the preference only where the cluster serves preferences', async () => {
    const unserved = await applyInstancetypes(c.kc);
    const u1: any = await c.custom.getClusterCustomObject({ group: 'instancetype.kubevirt.io', version: 'v1beta1', plural: 'virtualmachineclusterinstancetypes', name: 'u1.medium' });
    expect(u1.spec).toMatchObject({ cpu: { guest: 1 }, memory: { guest: '4Gi' } });
    // The simulator has no VirtualMachineClusterPreference resource (test/cluster/crds has no CRD for it).
    if (!c.real) expect(unserved).toEqual(['VirtualMachineClusterPreference/centos.stream9']);
    if (!unserved.length) {
      const pref: any = await c.custom.getClusterCustomObject({ group: 'instancetype.kubevirt.io', version: 'v1beta1', plural: 'virtualmachineclusterpreferences', name: 'centos.stream9' });
      expect(pref.metadata.name).toBe('centos.stream9');
    }
    expect(await applyInstancetypes(c.kc)).toEqual(unserved);
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
