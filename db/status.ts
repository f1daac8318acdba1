/**
 * The status values of the stored entities, defined once: the schema types its status columns
 * with them (db/schema.ts) and every comparison or write in db/, lib/ and functions/ names them.
 * No imports, so any layer can use it without a cycle. The values are the wire contract
 * (docs/api.md, docs/kubernetes.md) and must not change.
 */

/** Lists an `as const` object's values as the non-empty tuple drizzle's `enum` option wants. */
function valuesOf<T extends Record<string, string>>(o: T): [T[keyof T], ...T[keyof T][]] {
  return Object.values(o) as [T[keyof T], ...T[keyof T][]];
}

/** A VDC row's status; PENDING_CLUSTER when it has no cluster side yet (no cluster configured). */
export const VDC_STATUS = { creating: 'CREATING', ready: 'READY', deleting: 'DELETING', pendingCluster: 'PENDING_CLUSTER' } as const;
export type VdcStatus = (typeof VDC_STATUS)[keyof typeof VDC_STATUS];
export const VDC_STATUSES = valuesOf(VDC_STATUS);

/** A VM's status (docs/kubernetes.md "VM status": KubeVirt's `printableStatus` mapped). */
export const VM_STATUS = {
  poweredOn: 'POWERED_ON', poweredOff: 'POWERED_OFF', poweringOn: 'POWERING_ON', poweringOff: 'POWERING_OFF',
  suspended: 'SUSPENDED', failed: 'FAILED', deleting: 'DELETING', unknown: 'UNKNOWN',
} as const;
export type VmStatus = (typeof VM_STATUS)[keyof typeof VM_STATUS];
export const VM_STATUSES = valuesOf(VM_STATUS);

/**
 * A vApp row's status: the statuses clients see, plus CREATING, the row's own state while its
 * instantiation request runs (shown as INSTANTIATING, lib/views/vapp.ts).
 */
export const VAPP_STATUS = {
  creating: 'CREATING', instantiating: 'INSTANTIATING', failed: 'FAILED', poweredOn: 'POWERED_ON', poweredOff: 'POWERED_OFF',
  suspended: 'SUSPENDED', mixed: 'MIXED', deleting: 'DELETING', unknown: 'UNKNOWN',
} as const;
export type VappRowStatus = (typeof VAPP_STATUS)[keyof typeof VAPP_STATUS];
/** A vApp status as clients see it (never CREATING). */
export type VappStatus = Exclude<VappRowStatus, typeof VAPP_STATUS.creating>;
export const VAPP_STATUSES = valuesOf(VAPP_STATUS);

/** A task's status. Never 'aborted' or 'canceled' (VCD clients misread those; lib/tasks/service.ts). */
export const TASK_STATUS = { running: 'running', success: 'success', error: 'error' } as const;
export type TaskStatus = (typeof TASK_STATUS)[keyof typeof TASK_STATUS];
export const TASK_STATUSES = valuesOf(TASK_STATUS);
