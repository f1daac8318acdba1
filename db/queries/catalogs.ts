/**
 * Catalog rows, read with the names their references show (org, owner).
 */
import { eq, getTableColumns, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../client.ts';
import { catalogs, orgs, users } from '../schema.ts';
import type { ListPlan } from '#lib/http/list.ts';
import { perDb } from '../prepared.ts';

export type CatalogRow = typeof catalogs.$inferSelect;
/** A catalog with its org's name and its owner's username (null once the owner is gone). */
export type CatalogWithRefs = CatalogRow & { orgName: string; ownerName: string | null };

const withRefs = { ...getTableColumns(catalogs), orgName: orgs.name, ownerName: users.username };

function selectWithRefs(db: Db) {
  return db.select(withRefs).from(catalogs)
    .innerJoin(orgs, eq(orgs.id, catalogs.orgId))
    .leftJoin(users, eq(users.id, catalogs.ownerId));
}

/** One catalog with its reference names, by id. */
export function findCatalog(db: Db, id: string): CatalogWithRefs | undefined {
  return catalogById(db).get({ id });
}

const catalogById = perDb((db) => selectWithRefs(db).where(eq(catalogs.id, sql.placeholder('id'))).prepare());

/** One page of catalogs and the total under `where`. */
export function listCatalogs(db: Db, plan: ListPlan, where: SQL | undefined): { total: number; rows: CatalogWithRefs[] } {
  const total = db.select({ n: sql<number>`count(*)` }).from(catalogs).where(where).get()!.n;
  const rows = selectWithRefs(db).where(where).orderBy(...plan.orderBy).limit(plan.limit).offset(plan.offset).all();
  return { total, rows };
}

/** Inserts a catalog (throws on a duplicate name within the org). */
export function insertCatalog(db: Db, row: typeof catalogs.$inferInsert): void {
  db.insert(catalogs).values(row).run();
}

/** Updates a catalog's editable fields and bumps its version. */
export function updateCatalog(db: Db, id: string, set: Partial<Pick<CatalogRow, 'name' | 'nameKey' | 'description' | 'isPublished' | 'updatedAt'>>): void {
  db.update(catalogs).set({ ...set, version: sql`${catalogs.version} + 1` }).where(eq(catalogs.id, id)).run();
}

/** Deletes a catalog. */
export function deleteCatalog(db: Db, id: string): void {
  db.delete(catalogs).where(eq(catalogs.id, id)).run();
}

/** Every catalog's id, org and publication, oldest first (resolving an item id across catalogs). */
export function catalogHeaders(db: Db): Pick<CatalogRow, 'id' | 'orgId' | 'isPublished'>[] {
  return db.select({ id: catalogs.id, orgId: catalogs.orgId, isPublished: catalogs.isPublished }).from(catalogs).orderBy(catalogs.createdAt, catalogs.id).all();
}
