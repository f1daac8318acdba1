/**
 * vApp rows.
 */
import { and, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../client.ts';
import { orgs, users, vapps, vdcs } from '../schema.ts';
import type { ListPlan } from '#lib/http/list.ts';
import { perDb } from '../prepared.ts';
import type { VappRowStatus } from '../status.ts';

export type VappRow = typeof vapps.$inferSelect;

/** One vApp by id. */
export function findVapp(db: Db, id: string): VappRow | undefined {
  return vappById(db).get({ id });
}

const vappById = perDb((db) => db.select().from(vapps).where(eq(vapps.id, sql.placeholder('id'))).prepare());

/** The vApp whose TemplateInstance is `namespace/name`. */
export function findVappByInstance(db: Db, vdcId: string, instanceName: string): VappRow | undefined {
  return db.select().from(vapps).where(and(eq(vapps.vdcId, vdcId), eq(vapps.instanceName, instanceName))).get();
}

/** vApps of the given statuses (reconciler). */
export function vappsInStatus(db: Db, statuses: VappRowStatus[]): VappRow[] {
  return db.select().from(vapps).where(inArray(vapps.status, statuses)).all();
}

/** Every vApp (reconciler; small rows). */
export function allVapps(db: Db): VappRow[] {
  return db.select().from(vapps).all();
}

/** vApp counts by status (metrics). */
export function vappCountsByStatus(db: Db): { status: string; n: number }[] {
  return db.select({ status: vapps.status, n: sql<number>`count(*)` }).from(vapps).groupBy(vapps.status).all();
}

/** Inserts a vApp row (throws on a duplicate name in the VDC). */
export function insertVapp(db: Db, row: typeof vapps.$inferInsert): void {
  db.insert(vapps).values(row).run();
}

/** Updates a vApp row. */
export function updateVapp(db: Db, id: string, set: Partial<typeof vapps.$inferInsert>): void {
  db.update(vapps).set(set).where(eq(vapps.id, id)).run();
}

/** Deletes a vApp row (its VM rows go with it). */
export function deleteVappRow(db: Db, id: string): void {
  db.delete(vapps).where(eq(vapps.id, id)).run();
}

/** How many vApps a VDC holds. */
export function countVappsInVdc(db: Db, vdcId: string): number {
  return db.select({ n: sql<number>`count(*)` }).from(vapps).where(eq(vapps.vdcId, vdcId)).get()!.n;
}

/** Instance names already used in a namespace's VDC. */
export function instanceNamesInVdc(db: Db, vdcId: string): Set<string> {
  return new Set(db.select({ n: vapps.instanceName }).from(vapps).where(eq(vapps.vdcId, vdcId)).all().map((r) => r.n));
}

/** One page of vApps and the total under `where`. */
export function listVapps(db: Db, plan: ListPlan, where: SQL | undefined): { total: number; rows: VappRow[] } {
  const total = db.select({ n: sql<number>`count(*)` }).from(vapps).where(where).get()!.n;
  const rows = db.select().from(vapps).where(where).orderBy(...plan.orderBy).limit(plan.limit).offset(plan.offset).all();
  return { total, rows };
}

/** TemplateInstance uid → vApp id for every vApp whose instance is known (controller start-up). */
export function instanceUidIndex(db: Db): Map<string, string> {
  const out = new Map<string, string>();
  for (const r of db.select({ id: vapps.id, uid: vapps.instanceUid }).from(vapps).all()) if (r.uid) out.set(r.uid, r.id);
  return out;
}

/** A vApp with the names its references need (VDC, org, owner). */
export interface VappWithRefs { vapp: VappRow; vdcName: string; orgName: string; ownerName: string | null }

const refCols = { vapp: vapps, vdcName: vdcs.name, orgName: orgs.name, ownerName: users.username };

/** One vApp by id with its reference names. */
export function findVappWithRefs(db: Db, id: string): VappWithRefs | undefined {
  return db.select(refCols).from(vapps)
    .innerJoin(vdcs, eq(vdcs.id, vapps.vdcId)).innerJoin(orgs, eq(orgs.id, vapps.orgId)).leftJoin(users, eq(users.id, vapps.ownerId))
    .where(eq(vapps.id, id)).get();
}

/** One page of vApps with reference names, and the total under `where` (owner filters join users). */
export function listVappsWithRefs(db: Db, plan: ListPlan, where: SQL | undefined): { total: number; rows: VappWithRefs[] } {
  const total = db.select({ n: sql<number>`count(*)` }).from(vapps).leftJoin(users, eq(users.id, vapps.ownerId)).innerJoin(vdcs, eq(vdcs.id, vapps.vdcId)).where(where).get()!.n;
  const rows = db.select(refCols).from(vapps)
    .innerJoin(vdcs, eq(vdcs.id, vapps.vdcId)).innerJoin(orgs, eq(orgs.id, vapps.orgId)).leftJoin(users, eq(users.id, vapps.ownerId))
    .where(where).orderBy(...plan.orderBy).limit(plan.limit).offset(plan.offset).all();
  return { total, rows };
}
