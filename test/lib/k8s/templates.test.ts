/**
 * OpenShift Templates → catalog templates (docs/kubernetes.md "Templates → catalog items"): which
 * templates are offered, every mapped field, CPU/memory from the VirtualMachine object with
 * parameter defaults, parameters without generated values, and the cache behind catalog items.
 */
import { describe, expect, it } from 'vitest';
import { isVmTemplate, parseTemplate, TemplateCache } from '#lib/k8s/templates.ts';
import { catalogItemId } from '#lib/catalog/items.ts';
import { sampleInstancetypes, sampleTemplates } from '#test/cluster/templates/index.ts';

const Gi = 2 ** 30;
type Obj = Record<string, any>;

function sample(name: string): Obj {
  const t = sampleTemplates().find((x) => x.metadata?.name === name);
  if (!t) throw new Error(`no sample template ${name}`);
  t.metadata!.namespace = 'openshift';
  return t;
}

/** A VirtualMachine object of a template. */
function vmObject(domain: Obj, extra: Obj = {}): Obj {
  return { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name: '${NAME}' }, spec: { runStrategy: 'Halted', template: { spec: { domain } }, ...extra } };
}

/** A minimal Template. */
function template(name: string, objects: Obj[], extra: { labels?: Obj; annotations?: Obj; parameters?: Obj[]; namespace?: string } = {}): Obj {
  return {
    apiVersion: 'template.openshift.io/v1', kind: 'Template',
    metadata: { name, namespace: extra.namespace ?? 'openshift', labels: extra.labels ?? {}, annotations: extra.annotations ?? {}, resourceVersion: '7' },
    objects, parameters: extra.parameters ?? [],
  };
}

describe('isVmTemplate', () => {
  it('offers templates with a kubevirt.io VirtualMachine, whatever their template.kubevirt.io/type', () => {
    expect(isVmTemplate(sample('fedora-server-small'))).toBe(true); // type "base", as the common templates
    expect(isVmTemplate(template('mine', [vmObject({})], { labels: { 'template.kubevirt.io/type': 'vm' } }))).toBe(true);
    expect(isVmTemplate(template('v1alpha3', [{ ...vmObject({}), apiVersion: 'kubevirt.io/v1alpha3' }]))).toBe(true);
  });

  it('skips templates without one', () => {
    expect(isVmTemplate(template('app', [{ apiVersion: 'v1', kind: 'Service' }, { apiVersion: 'apps/v1', kind: 'Deployment' }]))).toBe(false);
    expect(isVmTemplate(template('typed-only', [], { labels: { 'template.kubevirt.io/type': 'vm' } }))).toBe(false);
    expect(isVmTemplate(template('other-group', [{ ...vmObject({}), apiVersion: 'example.com/v1' }]))).toBe(false);
    expect(isVmTemplate({ metadata: { name: 'no-objects' } })).toBe(false);
  });
});

describe('parseTemplate', () => {
  it('maps a common template field by field', () => {
    const t = sample('fedora-server-small');
    t.metadata.creationTimestamp = '2026-03-01T08:00:00Z';
    t.metadata.resourceVersion = '123';
    expect(parseTemplate(t)).toEqual({
      namespace: 'openshift',
      name: 'fedora-server-small',
      displayName: 'Fedora VM',
      description: 'Template for Fedora Linux 40 VM or newer. A DataSource with the Fedora Linux 40 disk image must be available.',
      // fedora39 is labelled "false" and sorts first: skipped.
      osType: 'fedora40',
      osName: 'Fedora Linux 40 or higher',
      iconClass: 'icon-fedora',
      tags: ['hidden', 'kubevirt', 'virtualmachine', 'linux', 'fedora'],
      flavor: 'small',
      workload: 'server',
      hidden: true,
      deprecated: false,
      architecture: 'amd64',
      bootSource: { namespace: 'openshift-virtualization-os-images', name: 'fedora' }, status: 'AVAILABLE', statusMessage: null,
      numberOfVMs: 1,
      numberOfCpus: 1,
      memoryBytes: 2 * Gi,
      storageBytes: 30 * Gi,
      parameters: [
        { name: 'NAME', displayName: 'NAME', description: 'VM name', required: false, hasDefault: false, generated: true },
        { name: 'DATA_SOURCE_NAME', displayName: 'DATA_SOURCE_NAME', description: 'Name of the DataSource to clone', required: false, hasDefault: true, generated: false },
        { name: 'DATA_SOURCE_NAMESPACE', displayName: 'DATA_SOURCE_NAMESPACE', description: 'Namespace of the DataSource', required: false, hasDefault: true, generated: false },
        { name: 'CLOUD_USER_PASSWORD', displayName: 'CLOUD_USER_PASSWORD', description: 'Randomized password for the cloud-init user fedora', required: false, hasDefault: false, generated: true },
      ],
      creationTimestamp: '2026-03-01T08:00:00.000Z',
      resourceVersion: '123',
    });
  });

  it('reads CPU (cores × sockets × threads) and memory, in either format or from the instancetype, from every sample', () => {
    const instancetypes = new Map(sampleInstancetypes().map((o) => [`${o.kind}/${o.metadata!.name}`, o]));
    const lookup = (ref: { kind: string; name: string }) => instancetypes.get(`${ref.kind}/${ref.name}`);
    const sizes = Object.fromEntries(sampleTemplates().map((t) => {
      const p = parseTemplate(t, lookup);
      return [p.name, [p.numberOfCpus, p.memoryBytes === null ? null : p.memoryBytes / Gi]];
    }));
    expect(sizes).toEqual({
      'acme-web-server': [2, 6],
      'centos-stream9-server-medium': [1, 4], 'centos-stream9-server-small': [1, 2], // resources.requests.memory
      'centos-stream9-u1-medium': [1, 4], // the u1.medium instancetype
      'centos6-server-small': [1, 2],
      'fedora-server-medium': [1, 4], 'fedora-server-small': [1, 2],
      'rhel9-server-large': [2, 8], 'rhel9-server-medium': [1, 4], 'rhel9-server-small': [1, 2],
      'windows2k22-server-large': [2, 8], 'windows2k22-server-medium': [1, 4],
    });
  });

  it('reads OS, deprecation and boot source from the samples as the rules say', () => {
    const parsed = (name: string) => parseTemplate(sample(name));
    expect(parsed('rhel9-server-large')).toMatchObject({ osType: 'rhel9.0', osName: 'Red Hat Enterprise Linux 9.0 or higher', displayName: 'Red Hat Enterprise Linux 9 VM' });
    // A user-made template without OS labels: the VM's vm.kubevirt.io/os; its boot source is written in.
    expect(parsed('acme-web-server')).toMatchObject({
      osType: 'rhel9', osName: null, hidden: false, deprecated: false, flavor: null, architecture: null,
      bootSource: { namespace: 'openshift-virtualization-os-images', name: 'rhel9' },
      parameters: [{ name: 'NAME', displayName: 'VM name', description: 'Name of the new VM', required: true, hasDefault: false, generated: false }],
    });
    expect(parsed('centos6-server-small')).toMatchObject({ osType: 'centos6.0', deprecated: true, hidden: true, architecture: null });
    expect(sampleTemplates().map((t) => parseTemplate(t)).filter((t) => t.deprecated).map((t) => t.name)).toEqual(['centos6-server-small']);
  });

  it('substitutes parameter defaults for ${PARAM} and ${{PARAM}} values', () => {
    const t = template('param', [vmObject({ cpu: { cores: '${CORES}', sockets: '${{SOCKETS}}' }, memory: { guest: '${MEMORY}' } })], {
      parameters: [{ name: 'CORES', value: '2' }, { name: 'SOCKETS', value: '3' }, { name: 'MEMORY', value: '3Gi' }],
    });
    expect(parseTemplate(t)).toMatchObject({ numberOfCpus: 6, memoryBytes: 3 * Gi });
  });

  it('substitutes defaults inside a value, as OpenShift interpolates them', () => {
    const t = template('inline', [vmObject({ cpu: { cores: 1 }, memory: { guest: '${MEMORY_GB}Gi' } })], { parameters: [{ name: 'MEMORY_GB', value: '6' }] });
    expect(parseTemplate(t).memoryBytes).toBe(6 * Gi);
  });

  it('says null when a size comes from a parameter without a default', () => {
    const t = template('open', [vmObject({ cpu: { cores: '${CORES}' }, memory: { guest: '${MEMORY}' } })], {
      parameters: [{ name: 'CORES', required: true }, { name: 'MEMORY', generate: 'expression', from: '[0-9]{1}Gi' }],
    });
    expect(parseTemplate(t)).toMatchObject({ numberOfCpus: null, memoryBytes: null, storageBytes: null });
  });

  it('takes memory from resources.requests when memory.guest is absent', () => {
    expect(parseTemplate(template('req', [vmObject({ cpu: { cores: 2 }, resources: { requests: { memory: '1536Mi' } } })])).memoryBytes).toBe(1.5 * Gi);
  });

  it('adds up the VirtualMachines of a multi-VM template and counts them', () => {
    const t = template('pair', [
      vmObject({ cpu: { cores: 2 }, memory: { guest: '2Gi' } }, { dataVolumeTemplates: [{ spec: { pvc: { resources: { requests: { storage: '10Gi' } } } } }] }),
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc' } },
      vmObject({ cpu: { cores: 1, sockets: 2, threads: 2 }, memory: { guest: '1Gi' } }, { dataVolumeTemplates: [{ spec: { storage: { resources: { requests: { storage: '5Gi' } } } } }] }),
    ]);
    expect(parseTemplate(t)).toMatchObject({ numberOfVMs: 2, numberOfCpus: 6, memoryBytes: 3 * Gi, storageBytes: 15 * Gi });
  });

  it('says null for the size of a template without CPU information or VMs', () => {
    expect(parseTemplate(template('nocpu', [vmObject({ memory: { guest: '1Gi' } })]))).toMatchObject({ numberOfCpus: null, memoryBytes: Gi });
    expect(parseTemplate(template('novm', []))).toMatchObject({ numberOfVMs: 0, numberOfCpus: null, memoryBytes: null });
  });

  it('falls back: name for the display name, long description, nothing for OS, flavor and icon', () => {
    const t = template('bare', [vmObject({})], { annotations: { 'openshift.io/long-description': 'Long text' } });
    expect(parseTemplate(t)).toMatchObject({
      displayName: 'bare', description: 'Long text', osType: null, osName: null, iconClass: null, tags: [], flavor: null, workload: null,
      creationTimestamp: null, resourceVersion: '7',
    });
    expect(parseTemplate(template('none', [vmObject({})])).description).toBe('');
  });

  it('ignores OS, flavor and workload labels set to "false", and an OS without its name annotation has no name', () => {
    const t = template('labels', [vmObject({})], {
      labels: { 'os.template.kubevirt.io/fedora39': 'false', 'os.template.kubevirt.io/fedora40': 'true', 'flavor.template.kubevirt.io/tiny': 'false', 'workload.template.kubevirt.io/desktop': 'true' },
    });
    expect(parseTemplate(t)).toMatchObject({ osType: 'fedora40', osName: null, flavor: null, workload: 'desktop' });
  });

  it('marks templates tagged hidden (informational) or deprecated by label or annotation "true"', () => {
    expect(parseTemplate(template('h', [vmObject({})], { annotations: { tags: 'kubevirt, hidden ,linux' } }))).toMatchObject({ hidden: true, deprecated: false, tags: ['kubevirt', 'hidden', 'linux'] });
    expect(parseTemplate(template('d', [vmObject({})], { labels: { 'template.kubevirt.io/deprecated': 'true' } }))).toMatchObject({ hidden: false, deprecated: true });
    expect(parseTemplate(template('d2', [vmObject({})], { labels: { 'template.kubevirt.io/deprecated': '' } })).deprecated).toBe(false);
    expect(parseTemplate(template('d3', [vmObject({})], { annotations: { 'template.kubevirt.io/deprecated': 'true' } })).deprecated).toBe(true);
    expect(parseTemplate(template('nd', [vmObject({})], { labels: { 'template.kubevirt.io/deprecated': 'false' } })).deprecated).toBe(false);
    expect(parseTemplate(template('nh', [vmObject({})], { annotations: { tags: 'hiddenish' } })).hidden).toBe(false);
  });

  it('takes the first OS label set to "true" in sorted order, else the VM\'s vm.kubevirt.io/os', () => {
    const labels = { 'os.template.kubevirt.io/rhel9.4': 'true', 'os.template.kubevirt.io/rhel9.0': 'false', 'os.template.kubevirt.io/rhel9.2': 'true' };
    const ann = { 'name.os.template.kubevirt.io/rhel9.2': 'Red Hat Enterprise Linux 9.2' };
    expect(parseTemplate(template('os', [vmObject({})], { labels, annotations: ann }))).toMatchObject({ osType: 'rhel9.2', osName: 'Red Hat Enterprise Linux 9.2' });
    const vm = vmObject({});
    vm.spec.template.metadata = { annotations: { 'vm.kubevirt.io/os': 'centos-stream9' } };
    expect(parseTemplate(template('vmos', [vm], { labels: { 'os.template.kubevirt.io/centos9': 'false' } })).osType).toBe('centos-stream9');
  });

  it('reads the architecture annotation, null when absent', () => {
    expect(parseTemplate(template('a', [vmObject({})], { annotations: { 'template.kubevirt.io/architecture': 'arm64' } })).architecture).toBe('arm64');
    expect(parseTemplate(template('b', [vmObject({})])).architecture).toBeNull();
  });

  it('describes parameters without ever exposing a value or generator', () => {
    const t = template('p', [vmObject({})], {
      parameters: [
        { name: 'PASSWORD', displayName: 'Password', description: 'Root password', required: true, generate: 'expression', from: '[a-z]{8}', value: '' },
        { name: 'SIZE', value: 'small' },
        { name: 'EMPTY', value: '' },
        { displayName: 'nameless' },
      ],
    });
    const params = parseTemplate(t).parameters;
    expect(params).toEqual([
      { name: 'PASSWORD', displayName: 'Password', description: 'Root password', required: true, hasDefault: false, generated: true },
      { name: 'SIZE', displayName: 'SIZE', description: '', required: false, hasDefault: true, generated: false },
      { name: 'EMPTY', displayName: 'EMPTY', description: '', required: false, hasDefault: false, generated: false },
    ]);
    expect(JSON.stringify(params)).not.toMatch(/small|\[a-z\]/);
  });
});

describe('TemplateCache', () => {
  it('lists VM templates only, sorted by name then namespace, and finds them by namespace/name', () => {
    const objects = [
      template('zeta', [vmObject({})]),
      template('alpha', [vmObject({})], { namespace: 'shared' }),
      template('alpha', [vmObject({})], { namespace: 'openshift' }),
      template('not-a-vm', [{ apiVersion: 'v1', kind: 'ConfigMap' }]),
    ];
    const cache = new TemplateCache(() => objects);
    expect(cache.list().map((t) => `${t.namespace}/${t.name}`)).toEqual(['openshift/alpha', 'shared/alpha', 'openshift/zeta']);
    expect(cache.get('shared', 'alpha')?.namespace).toBe('shared');
    expect(cache.get('openshift', 'not-a-vm')).toBeUndefined();
  });

  it('keeps the same array until invalidated, then follows changes and removals', () => {
    let objects = [template('a', [vmObject({})]), template('b', [vmObject({})])];
    let reads = 0;
    const cache = new TemplateCache(() => { reads++; return objects; });
    const first = cache.list();
    expect(cache.list()).toBe(first);
    expect(reads).toBe(1);
    objects = [template('b', [vmObject({ cpu: { cores: 8 } })])];
    expect(cache.list()).toBe(first); // not invalidated yet: the informer has not reported
    cache.invalidate();
    const second = cache.list();
    expect(second).not.toBe(first);
    expect(second.map((t) => [t.name, t.numberOfCpus])).toEqual([['b', 8]]);
    expect(cache.get('openshift', 'a')).toBeUndefined();
  });

  it('gives catalog items the same ids after a rebuild or a restart', () => {
    const catalog = '6f1e4d2c-0000-4000-8000-000000000001';
    const ids = () => new TemplateCache(() => sampleTemplates().map((t) => ({ ...t, metadata: { ...t.metadata, namespace: 'openshift' } })))
      .list().map((t) => catalogItemId(catalog, t));
    const a = ids();
    expect(a).toHaveLength(12); // every sample holds a VirtualMachine, the deprecated one too
    expect(new Set(a).size).toBe(12);
    expect(ids()).toEqual(a);
  });
});

describe('parseTemplate with instancetypes', () => {
  const instancetypes = new Map([['u1.large', { metadata: { name: 'u1.large' }, spec: { cpu: { guest: 2 }, memory: { guest: '8Gi' } } }]]);
  const lookup = (ref: { name: string }) => instancetypes.get(ref.name);
  const byInstancetype = (name: string, domain: Obj = {}) =>
    template('it', [vmObject(domain, { instancetype: { kind: 'VirtualMachineClusterInstancetype', name } })], { parameters: [{ name: 'INSTANCETYPE', value: 'u1.large' }] });

  it('takes CPU and memory from the cluster instancetype the VM names, parameters filled', () => {
    expect(parseTemplate(byInstancetype('u1.large'), lookup)).toMatchObject({ numberOfCpus: 2, memoryBytes: 8 * Gi });
    expect(parseTemplate(byInstancetype('${INSTANCETYPE}'), lookup)).toMatchObject({ numberOfCpus: 2, memoryBytes: 8 * Gi });
  });

  it('says null, not the domain, when the instancetype is unknown or cannot be looked up', () => {
    expect(parseTemplate(byInstancetype('u1.missing', { cpu: { cores: 4 }, memory: { guest: '1Gi' } }), lookup)).toMatchObject({ numberOfCpus: null, memoryBytes: null });
    expect(parseTemplate(byInstancetype('u1.large'))).toMatchObject({ numberOfCpus: null, memoryBytes: null });
  });

  it('follows an instancetype that appears after the template, once invalidated', () => {
    instancetypes.delete('u1.small');
    const cache = new TemplateCache(() => [byInstancetype('u1.small')], undefined, lookup);
    expect(cache.get('openshift', 'it')?.numberOfCpus).toBeNull();
    instancetypes.set('u1.small', { metadata: { name: 'u1.small' }, spec: { cpu: { guest: 1 }, memory: { guest: '2Gi' } } });
    cache.invalidate();
    expect(cache.get('openshift', 'it')).toMatchObject({ numberOfCpus: 1, memoryBytes: 2 * Gi });
  });
});
