/**
 * VDC rows. Lists join the org for its name (the view's `org` reference and the `org.name`
 * filter) so a page costs one query plus a count.
 */
import { eq, sql, type SQL } from 'drizzle-orm';
import { atomic, type Db } from '../client.ts';
import { orgs, vapps, vdcs, vms } from '../schema.ts';
import { fragment, tableReader } from '../rows.ts';
import type { ListPlan } from '#lib/http/list.ts';
import { perDb } from '../prepared.ts';
import { nextVersion } from '../version.ts';

export type VdcRow = typeof vdcs.$inferSelect;
export type VdcInsert = typeof vdcs.$inferInsert;
/** A VDC with the name of its org, as every view needs it. */
export interface VdcWithOrg { vdc: VdcRow; orgName: string }

/** One VDC by id. */
export function findVdc(db: Db, id: string): VdcRow | undefined {
  return vdcById(db).get({ id });
}

const vdcById = perDb((db) => db.select().from(vdcs).where(eq(vdcs.id, sql.placeholder('id'))).prepare());

/** One VDC by id with its org's name. */
export function findVdcWithOrg(db: Db, id: string): VdcWithOrg | undefined {
  return vdcWithOrgById(db).get({ id });
}

const vdcWithOrgById = perDb((db) =>
  db.select({ vdc: vdcs, orgName: orgs.name }).from(vdcs).innerJoin(orgs, eq(orgs.id, vdcs.orgId)).where(eq(vdcs.id, sql.placeholder('id'))).prepare());

const VDC = tableReader(vdcs, 'vdcs');
const FROM_VDCS = 'FROM "vdcs" INNER JOIN "orgs" ON "orgs"."id" = "vdcs"."org_id"';
// One JSON text a row: SQLite builds it faster than better-sqlite3 hands over 28 separate values.
const PAGE_ROW = `json_array(${VDC.jsonColumns!}, "orgs"."name")`;

const orderTexts = new WeakMap<readonly SQL[], { text: string; params: unknown[] }>();

/** ORDER BY text of a plan; planList hands out the same frozen array for the same sort, so it compiles once. */
function orderText(orderBy: readonly SQL[]): { text: string; params: unknown[] } {
  let hit = orderTexts.get(orderBy);
  if (!hit) orderTexts.set(orderBy, (hit = fragment(sql.join([...orderBy], sql`, `))));
  return hit;
}

/**
 * One page of VDCs (with org names) and the total under `where`: two hand-written statements
 * (cached by text in db/client.ts), since drizzle's query building and row mapping were most of
 * the cost of a VDC list.
 */
export function listVdcs(db: Db, plan: ListPlan, where: SQL | undefined): { total: number; rows: VdcWithOrg[] } {
  const cond = where ? fragment(where) : undefined;
  const order = orderText(plan.orderBy);
  const whereText = cond ? ` WHERE ${cond.text}` : '';
  const params = cond?.params ?? [];
  const total = (db.$client.prepare(`SELECT count(*) ${FROM_VDCS}${whereText}`).raw(true).get(...params) as [number])[0];
  const page = db.$client.prepare(`SELECT ${PAGE_ROW} ${FROM_VDCS}${whereText}${order.text ? ` ORDER BY ${order.text}` : ''} LIMIT ? OFFSET ?`)
    .raw(true).all(...params, ...order.params, plan.limit, plan.offset) as [string][];
  return {
    total,
    rows: page.map(([text]) => {
      const values = JSON.parse(text) as unknown[];
      return { vdc: VDC.readJson(values), orgName: values[VDC.width] as string };
    }),
  };
}

/** Whether any VDC row (whatever its status) holds this namespace name. */
export function namespaceTaken(db: Db, name: string): boolean {
  return db.select({ id: vdcs.id }).from(vdcs).where(eq(vdcs.namespace, name)).get() !== undefined;
}

/** Inserts a VDC (throws a unique violation on a duplicate name in the org). */
export function insertVdc(db: Db, row: VdcInsert): void {
  db.insert(vdcs).values(row).run();
}

/**
 * Updates a VDC's columns; its version (its ETag) moves when one of them changes — status and
 * reconcile marks too, like Kubernetes' resourceVersion: one rule no writer can miss (throws a
 * unique violation on a duplicate name in the org).
 */
export function updateVdc(db: Db, id: string, set: Partial<Omit<VdcInsert, 'version'>>): void {
  db.update(vdcs).set({ ...set, version: nextVersion(vdcs, set) }).where(eq(vdcs.id, id)).run();
}

/** How many vApps live in a VDC (a non-forced delete is refused while there are any). */
export function vdcVappCount(db: Db, id: string): number {
  return db.select({ n: sql<number>`count(*)` }).from(vapps).where(eq(vapps.vdcId, id)).get()!.n;
}

/** Deletes a VDC with its vApps and VMs, in one transaction. Tasks stay: they are history. */
export function deleteVdcCascade(db: Db, id: string): void {
  atomic(db, () => {
    db.delete(vms).where(eq(vms.vdcId, id)).run();
    db.delete(vapps).where(eq(vapps.vdcId, id)).run();
    db.delete(vdcs).where(eq(vdcs.id, id)).run();
  });
}

/** Every VDC of an org. */
export function vdcsOfOrg(db: Db, orgId: string): VdcRow[] {
  return db.select().from(vdcs).where(eq(vdcs.orgId, orgId)).all();
}
