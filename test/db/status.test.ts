import { describe, it, expect } from 'vitest';
import { tasks, vapps, vdcs, vms } from '#db/schema.ts';
import { TASK_STATUS, VAPP_STATUS, VDC_STATUS, VM_STATUS } from '#db/status.ts';

describe('status columns', () => {
  it.each([
    ['vdcs', vdcs.status.enumValues, VDC_STATUS],
    ['vapps', vapps.status.enumValues, VAPP_STATUS],
    ['vms', vms.status.enumValues, VM_STATUS],
    ['tasks', tasks.status.enumValues, TASK_STATUS],
  ])('types %s.status with exactly the constants of db/status.ts', (_table, enumValues, constants) => {
    expect([...enumValues]).toEqual(Object.values(constants));
    expect(new Set(enumValues).size).toBe(enumValues.length);
  });

  it('keeps the wire values', () => {
    expect(Object.values(VDC_STATUS)).toEqual(['CREATING', 'READY', 'DELETING', 'PENDING_CLUSTER']);
    expect(Object.values(VAPP_STATUS)).toEqual(['CREATING', 'INSTANTIATING', 'FAILED', 'POWERED_ON', 'POWERED_OFF', 'SUSPENDED', 'MIXED', 'DELETING', 'UNKNOWN']);
    expect(Object.values(VM_STATUS)).toEqual(['POWERED_ON', 'POWERED_OFF', 'POWERING_ON', 'POWERING_OFF', 'SUSPENDED', 'FAILED', 'DELETING', 'UNKNOWN']);
    expect(Object.values(TASK_STATUS)).toEqual(['running', 'success', 'error']);
  });
});
