import { describe, expect, it } from 'vitest';
import { bootSourceRef, dataSourceState } from '#lib/k8s/boot-sources.ts';

const template = (sourceRef: Record<string, unknown>) => ({
  objects: [{ kind: 'VirtualMachine', apiVersion: 'kubevirt.io/v1', spec: { dataVolumeTemplates: [{ spec: { sourceRef } }] } }],
});
const values = new Map([['DATA_SOURCE_NAME', 'rhel9'], ['DATA_SOURCE_NAMESPACE', 'os-images']]);

describe('bootSourceRef', () => {
  it('resolves the sourceRef with the parameter values', () => {
    expect(bootSourceRef(template({ kind: 'DataSource', name: '${DATA_SOURCE_NAME}', namespace: '${DATA_SOURCE_NAMESPACE}' }), values)).toEqual({ namespace: 'os-images', name: 'rhel9' });
  });
  it('takes the default namespace when the sourceRef has none, and is undefined when a value is missing', () => {
    expect(bootSourceRef(template({ kind: 'DataSource', name: 'fedora' }), values, 'vdc-a')).toEqual({ namespace: 'vdc-a', name: 'fedora' });
    expect(bootSourceRef(template({ kind: 'DataSource', name: 'fedora' }), values)).toBeUndefined();
    expect(bootSourceRef(template({ kind: 'DataSource', name: '${OTHER}', namespace: 'x' }), values)).toBeUndefined();
  });
  it('is undefined for a VM that clones from no DataSource', () => {
    expect(bootSourceRef({ objects: [{ kind: 'VirtualMachine', spec: {} }] }, values)).toBeUndefined();
    expect(bootSourceRef(template({ kind: 'PersistentVolumeClaim', name: 'x', namespace: 'y' }), values)).toBeUndefined();
  });
});

describe('dataSourceState', () => {
  const ref = { namespace: 'os-images', name: 'rhel9' };
  it('is ready only with condition Ready=True', () => {
    expect(dataSourceState(ref, { status: { conditions: [{ type: 'Ready', status: 'True' }] } })).toEqual({ ready: true, reason: '' });
    expect(dataSourceState(ref, { status: { conditions: [{ type: 'Ready', status: 'False', reason: 'NotFound', message: 'source PVC not found' }] } }))
      .toEqual({ ready: false, reason: 'boot source DataSource os-images/rhel9 is not Ready (NotFound: source PVC not found)' });
    expect(dataSourceState(ref, {})).toEqual({ ready: false, reason: 'boot source DataSource os-images/rhel9 is not Ready' });
    expect(dataSourceState(ref, undefined)).toEqual({ ready: false, reason: 'boot source DataSource os-images/rhel9 does not exist' });
  });
});
