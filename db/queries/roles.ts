/**
 * Role rows (the three built-in roles).
 */
import { eq, inArray } from 'drizzle-orm';
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
