/**
 * The embedded controller's event handling: TemplateInstance, VirtualMachine and
 * VirtualMachineInstance events become vApp and VM rows. This process is the only writer.
 * Objects outside our VDC namespaces, or not owned by one of our instances, are ignored.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '#db/client.ts';
import type { Log } from '#lib/log.ts';
import { findVapp, instanceUidIndex, updateVapp, type VappRow } from '#db/queries/vapps.ts';
import { deleteVmByUid, findVmByUid, upsertVm, vmStatusesOfVapp, vmsOfVapp, type VmRow } from '#db/queries/vms.ts';
import { findVdc } from '#db/queries/vdcs.ts';
import { instanceConditions, rowDisksPending, vappStatus, vmStatus } from './status.ts';
import { VAPP_STATUS, VM_STATUS, type VmStatus } from '#db/status.ts';
import { vmInfo } from './vm-info.ts';
import type { InstancetypeLookup } from './instancetypes.ts';
import { L_VAPP_ID, TI_OWNER } from './labels.ts';

type Obj = { metadata?: { name?: string; namespace?: string; uid?: string; labels?: Record<string, string>; deletionTimestamp?: unknown }; [k: string]: any };

export interface Caches {
  instance(namespace: string, name: string): Obj | undefined;
  vm(namespace: string, name: string): Obj | undefined;
  vmi(namespace: string, name: string): Obj | undefined;
  /** Whether the instance informer has synced (so "absent" means absent). */
  instancesSynced(): boolean;
  /** Resolves a VM's `spec.instancetype` (its CPU and memory stay null without it). */
  instancetype?: InstancetypeLookup;
}

export type VmListener = (vm: VmRow) => void;
export type VappGoneCheck = (vapp: VappRow) => void;

/**
 * How long an instance this process created may be missing from the synced cache before it
 * counts as deleted: the create answers before the instance watch delivers it, and a lagging
 * watch must not make a new vApp FAILED. Bounded, so a lost event delays FAILED only this long
 * (the reconciler's next refresh applies it).
 */
const UNSEEN_GRACE_MS = 60_000;

export class StatusSync {
  private byInstanceUid: Map<string, string>;
  private vmListeners = new Set<VmListener>();
  /** Instances created by this process and not yet seen by the instance informer, by uid: when remembered. */
  private unseen = new Map<string, number>();

  constructor(private db: Db, private log: Log, private caches: Caches, private onVappSettled: VappGoneCheck, private now: () => number = Date.now) {
    this.byInstanceUid = instanceUidIndex(db);
  }

  /** Subscribes to VM row changes (power tasks wait on these). */
  onVm(listener: VmListener): () => void {
    this.vmListeners.add(listener);
    return () => this.vmListeners.delete(listener);
  }

  /** Remembers an instance uid as soon as the API call that created it returns. */
  rememberInstance(uid: string, vappId: string): void {
    this.byInstanceUid.set(uid, vappId);
    this.unseen.set(uid, this.now());
  }

  instanceEvent(type: 'add' | 'update' | 'delete', ti: Obj): void {
    if (ti.metadata?.uid) this.unseen.delete(ti.metadata.uid);
    const vappId = ti.metadata?.labels?.[L_VAPP_ID];
    const vapp = vappId ? findVapp(this.db, vappId) : undefined;
    if (!vapp) return;
    const vdc = findVdc(this.db, vapp.vdcId);
    if (!vdc || vdc.namespace !== ti.metadata?.namespace || vapp.instanceName !== ti.metadata?.name) return;
    const uid = ti.metadata?.uid;
    if (type !== 'delete' && uid && vapp.instanceUid !== uid) {
      // updatedAt stays: it dates the row's own step, which tells the reconciler whether a
      // CREATING row belongs to a request still in flight.
      updateVapp(this.db, vapp.id, { instanceUid: uid });
      this.byInstanceUid.set(uid, vapp.id);
    }
    this.refreshVapp(vapp.id);
    if (type === 'delete') this.onVappSettled(findVapp(this.db, vapp.id) ?? vapp);
  }

  vmEvent(type: 'add' | 'update' | 'delete', vm: Obj): void {
    const uid = vm.metadata?.uid;
    if (!uid) return;
    if (type === 'delete') {
      const row = findVmByUid(this.db, uid);
      if (!row) return;
      deleteVmByUid(this.db, uid);
      this.refreshVapp(row.vappId);
      const vapp = findVapp(this.db, row.vappId);
      if (vapp) this.onVappSettled(vapp);
      return;
    }
    const owner = vm.metadata?.labels?.[TI_OWNER];
    const vappId = owner ? this.byInstanceUid.get(owner) : undefined;
    const vapp = vappId ? findVapp(this.db, vappId) : undefined;
    if (!vapp) return;
    const vdc = findVdc(this.db, vapp.vdcId);
    if (!vdc || vdc.namespace !== vm.metadata?.namespace) return;
    this.writeVm(vm, vapp, this.caches.vmi(vdc.namespace, vm.metadata!.name!));
    this.refreshVapp(vapp.id);
  }

  vmiEvent(type: 'add' | 'update' | 'delete', vmi: Obj): void {
    const ns = vmi.metadata?.namespace;
    const name = vmi.metadata?.name;
    if (!ns || !name) return;
    const vm = this.caches.vm(ns, name);
    if (!vm?.metadata?.uid) return;
    const row = findVmByUid(this.db, vm.metadata.uid);
    if (!row) return;
    const vapp = findVapp(this.db, row.vappId);
    if (!vapp) return;
    this.writeVm(vm, vapp, type === 'delete' ? undefined : vmi);
    this.refreshVapp(vapp.id);
  }

  private writeVm(vm: Obj, vapp: VappRow, vmi: Obj | undefined): void {
    const now = this.now();
    const st = vmStatus(vm);
    const info = vmInfo(vm, vmi, this.caches.instancetype);
    const existing = findVmByUid(this.db, vm.metadata!.uid!);
    const next = {
      id: existing?.id ?? randomUUID(),
      vappId: vapp.id, vdcId: vapp.vdcId, orgId: vapp.orgId,
      namespace: vm.metadata!.namespace!, name: vm.metadata!.name!, uid: vm.metadata!.uid!,
      description: '', status: st.status, statusMessage: st.message, printableStatus: vm.status?.printableStatus ?? null,
      guestOs: info.guestOs, numCpus: info.numCpus, coresPerSocket: info.coresPerSocket, memoryMb: info.memoryMb,
      interfaces: info.interfaces, createdAt: existing?.createdAt ?? now, updatedAt: now,
    };
    // Re-lists and resyncs report every VM again: an unchanged one is not written (its
    // lastModified stays, and a restart with 10,000 VMs does not rewrite 10,000 rows).
    const unchanged = existing !== undefined && sameVmState(existing, next);
    if (!unchanged) upsertVm(this.db, next);
    const row = unchanged ? existing : findVmByUid(this.db, vm.metadata!.uid!)!;
    if (!existing || existing.status !== row.status) {
      this.log.debug({ vm: row.id, status: row.status }, 'vm status');
    }
    for (const l of this.vmListeners) l(row);
  }

  /** Recomputes and stores a vApp's status from its instance and VM rows. */
  refreshVapp(vappId: string): void {
    const vapp = findVapp(this.db, vappId);
    if (!vapp || vapp.status === VAPP_STATUS.creating || vapp.status === VAPP_STATUS.deleting) return;
    const vdc = findVdc(this.db, vapp.vdcId);
    const ti = vdc ? this.caches.instance(vdc.namespace, vapp.instanceName) : undefined;
    const vmStatuses = vmStatusesOfVapp(this.db, vapp.id) as VmStatus[];
    // Only a POWERING_ON VM can be one whose disks are still importing; read the rows only then.
    const pending = vmStatuses.includes(VM_STATUS.poweringOn) ? vmsOfVapp(this.db, vapp.id).filter(rowDisksPending) : [];
    let next = vappStatus({
      rowStatus: vapp.status, instance: ti ? instanceConditions(ti as Parameters<typeof instanceConditions>[0]) : undefined, vmStatuses,
      clusterKnown: this.caches.instancesSynced(), disksPending: pending.length > 0, disksMessage: pending.find((r) => r.statusMessage)?.statusMessage,
    });
    if (!ti && this.caches.instancesSynced() && vapp.instanceUid && !this.awaitingFirstSight(vapp.instanceUid)) {
      next = { status: VAPP_STATUS.failed, message: 'The TemplateInstance of this vApp was deleted outside SSVirt' };
    }
    if (next.status !== vapp.status || next.message !== vapp.statusMessage) {
      updateVapp(this.db, vapp.id, { status: next.status, statusMessage: next.message, updatedAt: this.now() });
    }
  }

  /** Whether an instance this process created may simply not have reached the cache yet. */
  private awaitingFirstSight(uid: string): boolean {
    const at = this.unseen.get(uid);
    if (at === undefined) return false;
    if (this.now() - at < UNSEEN_GRACE_MS) return true;
    this.unseen.delete(uid);
    return false;
  }
}

/** Whether a VM row already holds what an upsert would write (the columns it updates). */
function sameVmState(row: VmRow, next: Omit<VmRow, 'interfaces'> & { interfaces: unknown }): boolean {
  return row.status === next.status && row.statusMessage === next.statusMessage && row.printableStatus === next.printableStatus
    && row.guestOs === next.guestOs && row.numCpus === next.numCpus && row.coresPerSocket === next.coresPerSocket
    && row.memoryMb === next.memoryMb && JSON.stringify(row.interfaces) === JSON.stringify(next.interfaces);
}
