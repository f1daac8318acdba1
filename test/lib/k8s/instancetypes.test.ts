/**
 * KubeVirt instancetypes as the catalog and VM rows read them: which instancetype a VM names
 * (default kind, parameters, the namespaced kind), and the CPU and memory it gives.
 */
import { describe, expect, it } from 'vitest';
import { INSTANCETYPE_KIND, instancetypeRef, instancetypeSize, referencedSize } from '#lib/k8s/instancetypes.ts';

const Gi = 2 ** 30;
const medium = { metadata: { name: 'u1.medium' }, spec: { cpu: { guest: 1 }, memory: { guest: '4Gi' } } };
const vm = (instancetype?: object) => ({ metadata: { namespace: 'vdc-a' }, spec: { instancetype, template: { spec: { domain: {} } } } });

describe('instancetypeRef', () => {
  it('defaults to the cluster-scoped kind, as KubeVirt does', () => {
    expect(instancetypeRef(vm({ name: 'u1.medium' }))).toEqual({ kind: INSTANCETYPE_KIND.cluster, name: 'u1.medium' });
  });

  it('fills ${P} from the values and gives up on a parameter without one', () => {
    const v = vm({ name: '${INSTANCETYPE}' });
    expect(instancetypeRef(v, new Map([['INSTANCETYPE', 'u1.large']]))?.name).toBe('u1.large');
    expect(instancetypeRef(v)).toBeUndefined();
  });

  it('keeps the namespace for the namespaced kind and ignores unknown kinds', () => {
    expect(instancetypeRef(vm({ kind: INSTANCETYPE_KIND.namespaced, name: 'big' }), new Map(), 'vdc-a'))
      .toEqual({ kind: INSTANCETYPE_KIND.namespaced, name: 'big', namespace: 'vdc-a' });
    expect(instancetypeRef(vm({ kind: 'Flavor', name: 'x' }))).toBeUndefined();
    expect(instancetypeRef(vm())).toBeUndefined();
  });
});

describe('instancetypeSize', () => {
  it('reads cpu.guest and memory.guest', () => {
    expect(instancetypeSize(medium)).toEqual({ cpus: 1, memoryBytes: 4 * Gi });
  });

  it('says null for what is absent or malformed, never a guess', () => {
    expect(instancetypeSize(undefined)).toEqual({ cpus: null, memoryBytes: null });
    expect(instancetypeSize({ spec: { cpu: { guest: 0 }, memory: { guest: 'lots' } } })).toEqual({ cpus: null, memoryBytes: null });
    expect(instancetypeSize({ spec: { cpu: { guest: '2' } } })).toEqual({ cpus: null, memoryBytes: null });
  });
});

describe('referencedSize', () => {
  const lookup = (ref: { name: string }) => (ref.name === 'u1.medium' ? medium : undefined);

  it('is undefined for a VM that names no instancetype (its domain says)', () => {
    expect(referencedSize(vm(), lookup)).toBeUndefined();
  });

  it('resolves the named instancetype, and is null-sized when it is unknown or unresolvable', () => {
    expect(referencedSize(vm({ name: 'u1.medium' }), lookup)).toEqual({ cpus: 1, memoryBytes: 4 * Gi });
    expect(referencedSize(vm({ name: 'u1.missing' }), lookup)).toEqual({ cpus: null, memoryBytes: null });
    expect(referencedSize(vm({ name: 'u1.medium' }), undefined)).toEqual({ cpus: null, memoryBytes: null });
    // A template's namespaced instancetype lives in a namespace not chosen yet.
    expect(referencedSize(vm({ kind: INSTANCETYPE_KIND.namespaced, name: 'u1.medium' }), lookup)).toEqual({ cpus: null, memoryBytes: null });
    expect(referencedSize(vm({ kind: INSTANCETYPE_KIND.namespaced, name: 'u1.medium' }), lookup, undefined, 'vdc-a')).toEqual({ cpus: 1, memoryBytes: 4 * Gi });
  });
});
