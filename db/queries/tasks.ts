/**
 * Task rows: operations that outlive their request (power actions, deletes), readable for at
 * least a day after they end.
 */
import { and, eq, inArray, isNotNull, lt, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../client.ts';
import { tasks } from '../schema.ts';
import type { ListPlan } from '#lib/http/list.ts';
import { TASK_STATUS } from '../status.ts';

export type TaskRow = typeof tasks.$inferSelect;
export type TaskInsert = typeof tasks.$inferInsert;

/** Inserts a task row. */
export function insertTask(db: Db, row: TaskInsert): void {
  db.insert(tasks).values(row).run();
}

/** One task by id. */
export function findTask(db: Db, id: string): TaskRow | undefined {
  return db.select().from(tasks).where(eq(tasks.id, id)).get();
}

/**
 * Updates a task only while it is still running, so a late progress report or a second finish
 * never rewrites a finished task. Returns whether a row changed.
 */
export function updateRunningTask(db: Db, id: string, set: Partial<TaskInsert>): boolean {
  return db.update(tasks).set(set).where(and(eq(tasks.id, id), eq(tasks.status, TASK_STATUS.running))).run().changes > 0;
}

/** One page of tasks and the total under `where`. */
export function listTasks(db: Db, plan: ListPlan, where: SQL | undefined): { total: number; rows: TaskRow[] } {
  const total = db.select({ n: sql<number>`count(*)` }).from(tasks).where(where).get()!.n;
  const rows = db.select().from(tasks).where(where).orderBy(...plan.orderBy).limit(plan.limit).offset(plan.offset).all();
  return { total, rows };
}

/** Deletes finished tasks that ended before `endedBefore` (epoch ms); returns how many. */
export function deleteFinishedTasks(db: Db, endedBefore: number): number {
  return db.delete(tasks).where(and(isNotNull(tasks.endTime), lt(tasks.endTime, endedBefore))).run().changes;
}

/** Running tasks of these operations, optionally of one owner (task trackers, start-up). */
export function runningTasks(db: Db, operationNames: string[], ownerId?: string): TaskRow[] {
  return db.select().from(tasks).where(and(eq(tasks.status, TASK_STATUS.running), inArray(tasks.operationName, operationNames), ownerId ? eq(tasks.ownerId, ownerId) : undefined)).all();
}
