/**
 * The status tables of docs/kubernetes.md ("VM status", "vApp status"): KubeVirt printableStatus → VM status, TemplateInstance
 * conditions, and the vApp status from its row, instance and VMs.
 */
import { describe, expect, it } from 'vitest';
import { DISKS_PENDING, instanceConditions, rowDisksPending, vappStatus, vmStatus, type VmStatus } from '#lib/k8s/status.ts';

describe('vmStatus', () => {
  const table: [string, VmStatus][] = [
    ['Running', 'POWERED_ON'], ['Migrating', 'POWERED_ON'],
    ['Stopped', 'POWERED_OFF'],
    ['Starting', 'POWERING_ON'], ['Provisioning', 'POWERING_ON'], ['WaitingForVolumeBinding', 'POWERING_ON'], ['WaitingForReceiver', 'POWERING_ON'],
    ['Stopping', 'POWERING_OFF'], ['Terminating', 'POWERING_OFF'],
    ['Paused', 'SUSPENDED'],
  ];
  it.each(table)('maps printableStatus %s to %s without a message', (p, s) => {
    expect(vmStatus({ status: { printableStatus: p } })).toEqual({ status: s, message: null });
  });

  it.each(['CrashLoopBackOff', 'ErrorUnschedulable', 'ErrImagePull', 'ImagePullBackOff', 'ErrorPvcNotFound', 'DataVolumeError'])(
    'maps %s to FAILED and keeps it as the reason',
    (p) => {
      expect(vmStatus({ status: { printableStatus: p } })).toEqual({ status: 'FAILED', message: p });
    },
  );

  it('maps a VM without printableStatus to POWERED_OFF when it is not meant to run', () => {
    expect(vmStatus({ spec: { runStrategy: 'Halted' } }).status).toBe('POWERED_OFF');
    expect(vmStatus({ spec: { runStrategy: 'Manual' }, status: {} }).status).toBe('POWERED_OFF');
    expect(vmStatus({ spec: { running: false }, status: { printableStatus: '' } }).status).toBe('POWERED_OFF');
  });

  it('maps a VM without printableStatus that should run, or says nothing, to UNKNOWN', () => {
    expect(vmStatus({ spec: { runStrategy: 'Always' } })).toEqual({ status: 'UNKNOWN', message: null });
    expect(vmStatus({ spec: { running: true } }).status).toBe('UNKNOWN');
    expect(vmStatus({}).status).toBe('UNKNOWN');
  });

  it('says why disks are pending, from KubeVirt\'s DataVolumesReady condition', () => {
    const why = 'DataVolume web-root is Pending: DataSource openshift-virtualization-os-images/rhel9 does not exist';
    const conditions = [{ type: 'Ready', status: 'False', reason: 'VMINotExists' }, { type: 'DataVolumesReady', status: 'False', reason: 'NotAllDVsReady', message: why }];
    expect(vmStatus({ status: { printableStatus: 'Provisioning', conditions } })).toEqual({ status: 'POWERING_ON', message: why });
    expect(vmStatus({ status: { printableStatus: 'WaitingForVolumeBinding', conditions: [{ type: 'DataVolumesReady', status: 'False', reason: 'NotBound' }] } }).message).toBe('NotBound');
    // A condition that is True says nothing is pending.
    expect(vmStatus({ status: { printableStatus: 'Provisioning', conditions: [{ type: 'DataVolumesReady', status: 'True', message: 'x' }] } }).message).toBeNull();
  });

  it('does not call a VM with disks to import POWERED_OFF before KubeVirt reported it (it provisions first)', () => {
    expect(vmStatus({ spec: { runStrategy: 'Halted', dataVolumeTemplates: [{}] } })).toEqual({ status: 'POWERING_ON', message: null });
    expect(rowDisksPending({ status: 'POWERING_ON', printableStatus: null })).toBe(true);
    expect(rowDisksPending({ status: 'POWERING_ON', printableStatus: 'Provisioning' })).toBe(true);
    expect(rowDisksPending({ status: 'POWERING_ON', printableStatus: 'Starting' })).toBe(false);
    expect(rowDisksPending({ status: 'POWERED_OFF', printableStatus: null })).toBe(false);
  });

  it('maps anything else to UNKNOWN, keeping what KubeVirt said', () => {
    expect(vmStatus({ status: { printableStatus: 'Unknown' } })).toEqual({ status: 'UNKNOWN', message: 'Unknown' });
    expect(vmStatus({ status: { printableStatus: 'SomethingNew' } })).toEqual({ status: 'UNKNOWN', message: 'SomethingNew' });
  });

  it('says DELETING once deletionTimestamp is set, whatever the printableStatus', () => {
    for (const p of ['Running', 'Stopped', 'CrashLoopBackOff', 'Terminating', undefined]) {
      expect(vmStatus({ metadata: { deletionTimestamp: '2026-01-01T00:00:00Z' }, status: { printableStatus: p } })).toEqual({ status: 'DELETING', message: null });
    }
  });
});

describe('instanceConditions', () => {
  it('reads Ready=True and InstantiateFailure=True with its reason and message', () => {
    expect(instanceConditions({ status: { conditions: [{ type: 'Ready', status: 'True', reason: 'Created' }] } })).toEqual({ ready: true, failed: undefined });
    expect(instanceConditions({ status: { conditions: [{ type: 'InstantiateFailure', status: 'True', reason: 'Failed', message: 'boom' }] } }))
      .toEqual({ ready: false, failed: { reason: 'Failed', message: 'boom' } });
  });

  it('ignores conditions that are not True and instances without status', () => {
    expect(instanceConditions({ status: { conditions: [{ type: 'Ready', status: 'False' }, { type: 'InstantiateFailure', status: 'False', message: 'old' }] } }))
      .toEqual({ ready: false, failed: undefined });
    expect(instanceConditions({})).toEqual({ ready: false, failed: undefined });
    expect(instanceConditions(undefined)).toEqual({ ready: false, failed: undefined });
  });
});

describe('vappStatus', () => {
  const ready = { ready: true, failed: undefined };
  const pending = { ready: false, failed: undefined };
  const base = { rowStatus: 'POWERED_OFF', instance: ready, vmStatuses: [] as VmStatus[], clusterKnown: true };

  it('stays INSTANTIATING while a VM\'s disks are pending (the VM itself reads POWERING_ON), and not otherwise', () => {
    expect(vmStatus({ status: { printableStatus: 'Provisioning' } }).status).toBe('POWERING_ON');
    expect(DISKS_PENDING.has('Provisioning') && DISKS_PENDING.has('WaitingForVolumeBinding')).toBe(true);
    expect(vappStatus({ ...base, vmStatuses: ['POWERING_ON'], disksPending: true }).status).toBe('INSTANTIATING');
    expect(vappStatus({ ...base, vmStatuses: ['POWERING_ON', 'POWERED_ON'], disksPending: true }).status).toBe('INSTANTIATING');
    expect(vappStatus({ ...base, vmStatuses: ['POWERING_ON'], disksPending: false }).status).toBe('MIXED');
    expect(vappStatus({ ...base, rowStatus: 'DELETING', vmStatuses: ['POWERING_ON'], disksPending: true }).status).toBe('DELETING');
    // What the disks wait for is the vApp's message while it prepares them.
    expect(vappStatus({ ...base, vmStatuses: ['POWERING_ON'], disksPending: true, disksMessage: 'DataSource x/y does not exist' }))
      .toEqual({ status: 'INSTANTIATING', message: 'Preparing disks: DataSource x/y does not exist' });
  });

  it('is INSTANTIATING while the row is CREATING, whatever the cluster says', () => {
    expect(vappStatus({ ...base, rowStatus: 'CREATING', vmStatuses: ['POWERED_ON'] })).toEqual({ status: 'INSTANTIATING', message: null });
    expect(vappStatus({ ...base, rowStatus: 'CREATING', instance: { ready: false, failed: { message: 'x' } } }).status).toBe('INSTANTIATING');
  });

  it('is INSTANTIATING while the instance has neither Ready nor InstantiateFailure, even with some VMs created', () => {
    expect(vappStatus({ ...base, instance: pending })).toEqual({ status: 'INSTANTIATING', message: null });
    expect(vappStatus({ ...base, instance: pending, vmStatuses: ['POWERED_OFF'] })).toEqual({ status: 'INSTANTIATING', message: null });
  });

  it('is INSTANTIATING when the instance is Ready but no VM has been seen yet', () => {
    expect(vappStatus({ ...base, instance: ready, vmStatuses: [] })).toEqual({ status: 'INSTANTIATING', message: null });
  });

  it('is FAILED with the condition message kept (else its reason) on InstantiateFailure', () => {
    const msg = 'unable to create kubevirt.io/v1, Resource=virtualmachines, Name=Bad_Name: invalid';
    expect(vappStatus({ ...base, instance: { ready: false, failed: { reason: 'Failed', message: msg } } })).toEqual({ status: 'FAILED', message: msg });
    expect(vappStatus({ ...base, instance: { ready: false, failed: { reason: 'Failed' } }, vmStatuses: ['POWERED_ON'] })).toEqual({ status: 'FAILED', message: 'Failed' });
    expect(vappStatus({ ...base, instance: { ready: false, failed: {} } }).message).toBe('instantiation failed');
  });

  it.each([
    [['POWERED_ON'], 'POWERED_ON'],
    [['POWERED_ON', 'POWERED_ON', 'POWERED_ON'], 'POWERED_ON'],
    [['POWERED_OFF', 'POWERED_OFF'], 'POWERED_OFF'],
    [['SUSPENDED', 'SUSPENDED'], 'SUSPENDED'],
  ] as [VmStatus[], string][])('is %j → %s when every VM agrees', (vms, out) => {
    expect(vappStatus({ ...base, vmStatuses: vms })).toEqual({ status: out, message: null });
  });

  it.each([
    [['POWERED_ON', 'POWERED_OFF']],
    [['POWERED_ON', 'SUSPENDED']],
    [['POWERED_OFF', 'POWERING_ON']],
    [['POWERED_ON', 'FAILED']],
    [['SUSPENDED', 'POWERED_OFF', 'POWERED_ON']],
  ] as [VmStatus[]][])('is MIXED for VMs in different states %j', (vms) => {
    expect(vappStatus({ ...base, vmStatuses: vms })).toEqual({ status: 'MIXED', message: null });
  });

  it('is FAILED when every VM failed', () => {
    expect(vappStatus({ ...base, vmStatuses: ['FAILED', 'FAILED'] })).toEqual({ status: 'FAILED', message: 'every VM failed' });
  });

  it('is DELETING for a DELETING row, before anything else', () => {
    expect(vappStatus({ ...base, rowStatus: 'DELETING', instance: { ready: false, failed: { message: 'x' } }, vmStatuses: ['POWERED_ON'] }))
      .toEqual({ status: 'DELETING', message: null });
  });

  it('is UNKNOWN when the cluster is unreachable and nothing is known', () => {
    expect(vappStatus({ rowStatus: 'POWERED_ON', instance: undefined, vmStatuses: [], clusterKnown: false })).toEqual({ status: 'UNKNOWN', message: null });
  });

  it('keeps deriving from the VMs it knows while the instance cache is not synced', () => {
    expect(vappStatus({ rowStatus: 'POWERED_ON', instance: undefined, vmStatuses: ['POWERED_ON'], clusterKnown: false }).status).toBe('POWERED_ON');
  });
});
