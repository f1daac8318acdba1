/**
 * Organization rows.
 */
import { eq, sql } from 'drizzle-orm';
import { atomic, type Db } from '../client.ts';
import { orgs } from '../schema.ts';
import { perDb } from '../prepared.ts';
import { nextVersion } from '../version.ts';

export type OrgRow = typeof orgs.$inferSelect;

/** One org by id. */
export function findOrg(db: Db, id: string): OrgRow | undefined {
  return orgById(db).get({ id });
}

const orgById = perDb((db) => db.select().from(orgs).where(eq(orgs.id, sql.placeholder('id'))).prepare());

/** One org by name, case-insensitively. */
export function findOrgByName(db: Db, name: string): OrgRow | undefined {
  return db.select().from(orgs).where(eq(orgs.nameKey, name.toLowerCase())).get();
}

/** The provider organization (created at bootstrap). */
export function providerOrg(db: Db): OrgRow | undefined {
  return provider(db).get();
}

const provider = perDb((db) => db.select().from(orgs).where(eq(orgs.isProvider, true)).prepare());

/** Real counts shown on the org object. */
export function orgCounts(db: Db, id: string) {
  return db.get<{ vdcs: number; catalogs: number; vapps: number; runningVms: number; users: number }>(sql`
    SELECT (SELECT count(*) FROM vdcs WHERE org_id = ${id}) AS vdcs,
           (SELECT count(*) FROM catalogs WHERE org_id = ${id}) AS catalogs,
           (SELECT count(*) FROM vapps WHERE org_id = ${id}) AS vapps,
           (SELECT count(*) FROM vms WHERE org_id = ${id} AND status = ${VM_STATUS.poweredOn}) AS runningVms,
           (SELECT count(*) FROM users WHERE org_id = ${id}) AS users`);
}

import { orgs as orgsTable, users, userRoles, sessions, vdcs, catalogs, vapps, vms, tasks } from '../schema.ts';
import { inArray, type SQL } from 'drizzle-orm';
import type { ListPlan } from '#lib/http/list.ts';
import { VM_STATUS } from '../status.ts';

/** One page of orgs and the total under `where`. */
export function listOrgs(db: Db, plan: ListPlan, where: SQL | undefined): { total: number; rows: OrgRow[] } {
  const total = db.select({ n: sql<number>`count(*)` }).from(orgsTable).where(where).get()!.n;
  const rows = db.select().from(orgsTable).where(where).orderBy(...plan.orderBy).limit(plan.limit).offset(plan.offset).all();
  return { total, rows };
}

/** Inserts an org (throws on a duplicate name). */
export function insertOrg(db: Db, row: typeof orgsTable.$inferInsert): void {
  db.insert(orgsTable).values(row).run();
}

/** Updates an org's editable fields; its version (its ETag) moves when one of them changes. */
export function updateOrg(db: Db, id: string, set: Partial<Omit<typeof orgsTable.$inferInsert, 'version'>>): void {
  db.update(orgsTable).set({ ...set, version: nextVersion(orgsTable, set) }).where(eq(orgsTable.id, id)).run();
}

/** What still lives in an org (blocks a non-forced delete). */
export function orgContents(db: Db, id: string): { vdcs: number; catalogs: number; users: number } {
  const n = orgCounts(db, id)!;
  return { vdcs: n.vdcs, catalogs: n.catalogs, users: n.users };
}

/** Deletes an org and everything in it, in one transaction. */
export function deleteOrgCascade(db: Db, id: string): void {
  atomic(db, () => {
    const tx = db;
    const userIds = tx.select({ id: users.id }).from(users).where(eq(users.orgId, id)).all().map((r) => r.id);
    if (userIds.length) {
      tx.delete(sessions).where(inArray(sessions.userId, userIds)).run();
      tx.delete(userRoles).where(inArray(userRoles.userId, userIds)).run();
    }
    tx.delete(vms).where(eq(vms.orgId, id)).run();
    tx.delete(vapps).where(eq(vapps.orgId, id)).run();
    tx.delete(tasks).where(eq(tasks.orgId, id)).run();
    tx.delete(vdcs).where(eq(vdcs.orgId, id)).run();
    tx.delete(catalogs).where(eq(catalogs.orgId, id)).run();
    tx.delete(users).where(eq(users.orgId, id)).run();
    tx.delete(orgsTable).where(eq(orgsTable.id, id)).run();
  });
}
