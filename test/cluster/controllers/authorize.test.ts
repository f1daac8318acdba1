import { describe, expect, it } from 'vitest';
import { forbiddenMessage } from './authorize.ts';

describe('forbiddenMessage', () => {
  it('words a denial as Kubernetes NewForbidden does', () => {
    expect(forbiddenMessage('', 'secrets', 'params', 'no RBAC policy matched')).toBe('secrets "params" is forbidden: no RBAC policy matched');
    expect(forbiddenMessage('template.openshift.io', 'templateconfigs', 'vm-t', 'x')).toBe('templateconfigs.template.openshift.io "vm-t" is forbidden: x');
    expect(forbiddenMessage('kubevirt.io', 'virtualmachines', 'vm1', '')).toBe('virtualmachines.kubevirt.io "vm1" is forbidden: ');
    expect(forbiddenMessage('kubevirt.io', 'virtualmachines', '', 'r')).toBe('virtualmachines.kubevirt.io is forbidden: r');
  });
});
