/** The discovery RESTMapper: resource names as the server lists them, the cache, the refresh on a miss. */
import type { V1APIResource } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { kindLabel, makeRestMapper, NoKindMatchError, resourceLabel, type ResourceLister } from './rest-mapper.ts';

const res = (name: string, kind: string, namespaced = true): V1APIResource => ({ name, kind, namespaced, singularName: '', verbs: ['create'] });

/** A lister over a mutable table of group versions, counting the requests. */
function fakeDiscovery(table: Record<string, V1APIResource[]>) {
  const calls: string[] = [];
  const list: ResourceLister = async (group, version) => {
    const key = group ? `${group}/${version}` : version;
    calls.push(key);
    return table[key];
  };
  return { list, calls };
}

describe('makeRestMapper', () => {
  it('takes the resource name and scope from discovery, not from a plural rule, skipping subresources', async () => {
    const { list } = fakeDiscovery({
      v1: [res('endpoints', 'Endpoints'), res('namespaces', 'Namespace', false)],
      'kubevirt.io/v1': [res('virtualmachines/status', 'VirtualMachine'), res('virtualmachines', 'VirtualMachine')],
      'example.com/v1': [res('dnses', 'DNS', false)],
    });
    const mapper = makeRestMapper(list);
    expect(await mapper.mapping('v1', 'Endpoints')).toEqual({ group: '', version: 'v1', resource: 'endpoints', kind: 'Endpoints', namespaced: true });
    expect(await mapper.mapping('v1', 'Namespace')).toMatchObject({ resource: 'namespaces', namespaced: false });
    expect(await mapper.mapping('kubevirt.io/v1', 'VirtualMachine')).toMatchObject({ group: 'kubevirt.io', resource: 'virtualmachines' });
    expect(await mapper.mapping('example.com/v1', 'DNS')).toMatchObject({ resource: 'dnses', namespaced: false });
  });

  it("fails an unserved kind or group version with client-go's NoKindMatchError wording", async () => {
    const mapper = makeRestMapper(fakeDiscovery({ 'kubevirt.io/v1': [res('virtualmachines', 'VirtualMachine')] }).list);
    await expect(mapper.mapping('kubevirt.io/v1', 'VirtualMachineSnapshot')).rejects.toThrow(
      new NoKindMatchError('VirtualMachineSnapshot', 'kubevirt.io/v1'),
    );
    await expect(mapper.mapping('kubevirt.io/v1', 'VirtualMachineSnapshot')).rejects.toThrow(
      'no matches for kind "VirtualMachineSnapshot" in version "kubevirt.io/v1"',
    );
    await expect(mapper.mapping('v1', 'Widget')).rejects.toThrow('no matches for kind "Widget" in version "v1"');
    await expect(mapper.mapping('example.com/v2', 'Widget')).rejects.toThrow('no matches for kind "Widget" in version "example.com/v2"');
  });

  it('caches each group version, and asks again on a miss (a CRD installed later is found)', async () => {
    const table: Record<string, V1APIResource[]> = { 'cdi.kubevirt.io/v1beta1': [res('datavolumes', 'DataVolume')] };
    const { list, calls } = fakeDiscovery(table);
    const mapper = makeRestMapper(list);
    await mapper.mapping('cdi.kubevirt.io/v1beta1', 'DataVolume');
    await mapper.mapping('cdi.kubevirt.io/v1beta1', 'DataVolume');
    expect(calls).toEqual(['cdi.kubevirt.io/v1beta1']);

    table['cdi.kubevirt.io/v1beta1'] = [...table['cdi.kubevirt.io/v1beta1']!, res('datasources', 'DataSource')];
    expect(await mapper.mapping('cdi.kubevirt.io/v1beta1', 'DataSource')).toMatchObject({ resource: 'datasources' });
    expect(calls).toEqual(['cdi.kubevirt.io/v1beta1', 'cdi.kubevirt.io/v1beta1']);
  });

  it('does not remember a failed discovery request', async () => {
    let fail = true;
    const mapper = makeRestMapper(async () => {
      if (fail) throw Object.assign(new Error('unavailable'), { code: 503 });
      return [res('secrets', 'Secret')];
    });
    await expect(mapper.mapping('v1', 'Secret')).rejects.toThrow('unavailable');
    fail = false;
    expect(await mapper.mapping('v1', 'Secret')).toMatchObject({ resource: 'secrets' });
  });
});

describe('resourceLabel / kindLabel', () => {
  it('print a GroupVersionResource and a GroupVersionKind as client-go does', () => {
    expect(resourceLabel({ group: 'kubevirt.io', version: 'v1', resource: 'virtualmachines' })).toBe('kubevirt.io/v1, Resource=virtualmachines');
    expect(resourceLabel({ group: '', version: 'v1', resource: 'secrets' })).toBe('/v1, Resource=secrets');
    expect(kindLabel('kubevirt.io/v1', 'Foo')).toBe('kubevirt.io/v1, Kind=Foo');
    expect(kindLabel('v1', 'Secret')).toBe('/v1, Kind=Secret');
  });
});
