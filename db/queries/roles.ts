/**
 * Role rows (the three built-in roles).
 */
import { eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { ListPlan } from '#lib/http/list.ts';
import type { Db } from '../client.ts';
import { roles } from '../schema.ts';

export type RoleRow = typeof roles.$inferSelect;

/** Every role. */
export function allRoles(db: Db): RoleRow[] {
  return db.select().from(roles).all();
}

/** One role by id. */
export function findRole(db: Db, id: string): RoleRow | undefined {
  return db.select().from(roles).where(eq(roles.id, id)).get();
}

/** Roles by name or id (both accepted from clients). */
export function rolesByNameOrId(db: Db, keys: string[]): RoleRow[] {
  if (!keys.length) return [];
  const byId = db.select().from(roles).where(inArray(roles.id, keys)).all();
  const byName = db.select().from(roles).where(inArray(roles.name, keys)).all();
  const seen = new Map<string, RoleRow>();
  for (const r of [...byId, ...byName]) seen.set(r.id, r);
  return [...seen.values()];
}

/** One page of roles and the total under `where`. */
export function listRoles(db: Db, plan: ListPlan, where: SQL | undefined): { total: number; rows: RoleRow[] } {
  const total = db.select({ n: sql<number>`count(*)` }).from(roles).where(where).get()!.n;
  const rows = db.select().from(roles).where(where).orderBy(...plan.orderBy).limit(plan.limit).offset(plan.offset).all();
  return { total, rows };
}
