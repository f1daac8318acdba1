import { describe, expect, it } from 'vitest';
import { forbiddenMessage, groupOfApiVersion, resourceOfKind } from './authorize.ts';

describe('forbiddenMessage', () => {
  it('words a denial as Kubernetes NewForbidden does', () => {
    expect(forbiddenMessage('', 'secrets', 'params', 'no RBAC policy matched')).toBe('secrets "params" is forbidden: no RBAC policy matched');
    expect(forbiddenMessage('template.openshift.io', 'templateconfigs', 'vm-t', 'x')).toBe('templateconfigs.template.openshift.io "vm-t" is forbidden: x');
    expect(forbiddenMessage('kubevirt.io', 'virtualmachines', 'vm1', '')).toBe('virtualmachines.kubevirt.io "vm1" is forbidden: ');
    expect(forbiddenMessage('kubevirt.io', 'virtualmachines', '', 'r')).toBe('virtualmachines.kubevirt.io is forbidden: r');
  });
});

describe('resourceOfKind / groupOfApiVersion', () => {
  it('maps template kinds to their resources and groups', () => {
    expect(resourceOfKind('VirtualMachine')).toBe('virtualmachines');
    expect(resourceOfKind('Secret')).toBe('secrets');
    expect(resourceOfKind('NetworkPolicy')).toBe('networkpolicies');
    expect(resourceOfKind('Ingress')).toBe('ingresses');
    expect(groupOfApiVersion('kubevirt.io/v1')).toBe('kubevirt.io');
    expect(groupOfApiVersion('v1')).toBe('');
  });
});
