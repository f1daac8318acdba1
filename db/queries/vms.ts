/**
 * VM rows: created and updated by the cluster watchers, read by the API.
 */
import { eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../client.ts';
import { orgs, vapps, vdcs, vms } from '../schema.ts';
import type { ListPlan } from '#lib/http/list.ts';
import { perDb } from '../prepared.ts';

export type VmRow = typeof vms.$inferSelect;

/** One VM by id. */
export function findVm(db: Db, id: string): VmRow | undefined {
  return vmById(db).get({ id });
}

const vmById = perDb((db) => db.select().from(vms).where(eq(vms.id, sql.placeholder('id'))).prepare());
const vmByUid = perDb((db) => db.select().from(vms).where(eq(vms.uid, sql.placeholder('uid'))).prepare());
const statusesOfVapp = perDb((db) => db.select({ status: vms.status }).from(vms).where(eq(vms.vappId, sql.placeholder('vappId'))).prepare());

/** The statuses of a vApp's VMs (what its own status is derived from; no full rows). */
export function vmStatusesOfVapp(db: Db, vappId: string): string[] {
  return statusesOfVapp(db).all({ vappId }).map((r) => r.status);
}

/** One VM by its Kubernetes uid. */
export function findVmByUid(db: Db, uid: string): VmRow | undefined {
  return vmByUid(db).get({ uid });
}

/** The VMs of a vApp, by name. */
export function vmsOfVapp(db: Db, vappId: string): VmRow[] {
  return db.select().from(vms).where(eq(vms.vappId, vappId)).orderBy(vms.name).all();
}

/** The VMs of several vApps (one query for a page of vApps). */
export function vmsOfVapps(db: Db, vappIds: string[]): Map<string, VmRow[]> {
  const out = new Map<string, VmRow[]>();
  if (!vappIds.length) return out;
  for (const r of db.select().from(vms).where(inArray(vms.vappId, vappIds)).orderBy(vms.name).all()) {
    const list = out.get(r.vappId) ?? [];
    list.push(r);
    out.set(r.vappId, list);
  }
  return out;
}

/** Inserts or updates a VM row by uid; returns the row id. */
export function upsertVm(db: Db, row: typeof vms.$inferInsert): void {
  db.insert(vms).values(row).onConflictDoUpdate({
    target: vms.uid,
    set: {
      status: row.status, statusMessage: row.statusMessage, printableStatus: row.printableStatus,
      guestOs: row.guestOs, numCpus: row.numCpus, coresPerSocket: row.coresPerSocket, memoryMb: row.memoryMb,
      interfaces: row.interfaces, updatedAt: row.updatedAt,
    },
  }).run();
}

/** Updates a VM row. */
export function updateVm(db: Db, id: string, set: Partial<typeof vms.$inferInsert>): void {
  db.update(vms).set(set).where(eq(vms.id, id)).run();
}

/** Deletes a VM row by uid. */
export function deleteVmByUid(db: Db, uid: string): void {
  db.delete(vms).where(eq(vms.uid, uid)).run();
}

/** One page of VMs and the total under `where`. */
export function listVms(db: Db, plan: ListPlan, where: SQL | undefined): { total: number; rows: VmRow[] } {
  const total = db.select({ n: sql<number>`count(*)` }).from(vms).where(where).get()!.n;
  const rows = db.select().from(vms).where(where).orderBy(...plan.orderBy).limit(plan.limit).offset(plan.offset).all();
  return { total, rows };
}

/** VM counts by status (metrics). */
export function vmCountsByStatus(db: Db): { status: string; n: number }[] {
  return db.all<{ status: string; n: number }>(sql`SELECT status, count(*) AS n FROM vms GROUP BY status`);
}

/** A VM with what its view and authorization need: reference names, the vApp's owner, the VDC's switch. */
export interface VmWithRefs { vm: VmRow; vappName: string; vappOwnerId: string; vdcName: string; vdcEnabled: boolean; orgName: string }

const refCols = { vm: vms, vappName: vapps.name, vappOwnerId: vapps.ownerId, vdcName: vdcs.name, vdcEnabled: vdcs.isEnabled, orgName: orgs.name };

/** One VM by id with its references. */
export function findVmWithRefs(db: Db, id: string): VmWithRefs | undefined {
  return db.select(refCols).from(vms)
    .innerJoin(vapps, eq(vapps.id, vms.vappId)).innerJoin(vdcs, eq(vdcs.id, vms.vdcId)).innerJoin(orgs, eq(orgs.id, vms.orgId))
    .where(eq(vms.id, id)).get();
}

/** One page of VMs with references, and the total under `where` (which may name vApp columns). */
export function listVmsWithRefs(db: Db, plan: ListPlan, where: SQL | undefined): { total: number; rows: VmWithRefs[] } {
  const total = db.select({ n: sql<number>`count(*)` }).from(vms).innerJoin(vapps, eq(vapps.id, vms.vappId)).innerJoin(vdcs, eq(vdcs.id, vms.vdcId)).where(where).get()!.n;
  const rows = db.select(refCols).from(vms)
    .innerJoin(vapps, eq(vapps.id, vms.vappId)).innerJoin(vdcs, eq(vdcs.id, vms.vdcId)).innerJoin(orgs, eq(orgs.id, vms.orgId))
    .where(where).orderBy(...plan.orderBy).limit(plan.limit).offset(plan.offset).all();
  return { total, rows };
}

/** The VMs with these ids (power tasks). */
export function vmsByIds(db: Db, ids: string[]): VmRow[] {
  return ids.length ? db.select().from(vms).where(inArray(vms.id, ids)).all() : [];
}
