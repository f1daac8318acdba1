/**
 * Organization rows.
 */
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../client.ts';
import { orgs } from '../schema.ts';

export type OrgRow = typeof orgs.$inferSelect;

/** One org by id. */
export function findOrg(db: Db, id: string): OrgRow | undefined {
  return db.select().from(orgs).where(eq(orgs.id, id)).get();
}

/** One org by name, case-insensitively. */
export function findOrgByName(db: Db, name: string): OrgRow | undefined {
  return db.select().from(orgs).where(eq(orgs.nameKey, name.toLowerCase())).get();
}

/** The provider organization (created at bootstrap). */
export function providerOrg(db: Db): OrgRow | undefined {
  return db.select().from(orgs).where(eq(orgs.isProvider, true)).get();
}

/** Real counts shown on the org object. */
export function orgCounts(db: Db, id: string) {
  return db.get<{ vdcs: number; catalogs: number; vapps: number; runningVms: number; users: number }>(sql`
    SELECT (SELECT count(*) FROM vdcs WHERE org_id = ${id}) AS vdcs,
           (SELECT count(*) FROM catalogs WHERE org_id = ${id}) AS catalogs,
           (SELECT count(*) FROM vapps WHERE org_id = ${id}) AS vapps,
           (SELECT count(*) FROM vms WHERE org_id = ${id} AND status = 'POWERED_ON') AS runningVms,
           (SELECT count(*) FROM users WHERE org_id = ${id}) AS users`);
}
