/**
 * Tasks as a small service: start one when an operation begins, report progress, finish it with
 * success or error. Tasks are never 'aborted' or 'canceled' (VCD clients misread those); a task
 * that cannot complete ends in 'error' with the reason.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '#db/client.ts';
import { deleteFinishedTasks, findTask, insertTask, updateRunningTask, type TaskRow } from '#db/queries/tasks.ts';
import type { MinorErrorCode } from '#lib/http/errors.ts';
import { TASK_STATUS, type TaskStatus } from '#db/status.ts';

export type TaskOwnerType = 'vm' | 'vapp' | 'vdc' | 'org' | 'catalog';

export interface StartTask {
  /** VCD's machine name of the operation, e.g. `vappPowerOn`. */
  operationName: string;
  /** Human text, e.g. `Powering on vApp web`. */
  operation: string;
  /** The object the task works on. */
  owner: { type: TaskOwnerType; id: string; name: string };
  /** The caller who started it. */
  user: { id: string; name: string };
  /** The owner's organization (not the caller's): org administrators see their org's tasks. */
  org: { id: string; name: string };
}

/** Finished tasks stay readable at least this long (docs/api.md "Tasks"). */
export const TASK_RETENTION_MS = 24 * 60 * 60 * 1000;

/** Creates a running task and returns its row. */
export function startTask(db: Db, t: StartTask, now = Date.now()): TaskRow {
  const row: TaskRow = {
    id: randomUUID(), operationName: t.operationName, operation: t.operation, status: TASK_STATUS.running, progress: 0,
    ownerType: t.owner.type, ownerId: t.owner.id, ownerName: t.owner.name,
    userId: t.user.id, userName: t.user.name, orgId: t.org.id, orgName: t.org.name,
    errorCode: null, errorMessage: null, startTime: now, endTime: null,
  };
  insertTask(db, row);
  return row;
}

/** Records progress (clamped to 0..99: 100 means finished) of a running task. */
export function setTaskProgress(db: Db, id: string, progress: number): boolean {
  const p = Math.max(0, Math.min(99, Math.round(progress)));
  return updateRunningTask(db, id, { progress: p });
}

export interface TaskOutcome {
  status: Exclude<TaskStatus, typeof TASK_STATUS.running>;
  error?: { minorErrorCode: MinorErrorCode; message: string };
}

/**
 * Ends a running task. A task that already ended keeps its first outcome (returns false), so a
 * timeout racing with the watcher cannot flip a result.
 */
export function finishTask(db: Db, id: string, outcome: TaskOutcome, now = Date.now()): boolean {
  const failed = outcome.status === TASK_STATUS.error;
  return updateRunningTask(db, id, {
    status: outcome.status,
    progress: failed ? undefined : 100,
    endTime: now,
    errorCode: failed ? (outcome.error?.minorErrorCode ?? 'INTERNAL_SERVER_ERROR') : null,
    errorMessage: failed ? (outcome.error?.message ?? 'The operation failed') : null,
  });
}

/** One task by id. */
export function getTask(db: Db, id: string): TaskRow | undefined {
  return findTask(db, id);
}

/** Deletes tasks that finished more than `keepMs` (at least 24 h) ago; run it periodically. */
export function pruneTasks(db: Db, now = Date.now(), keepMs = TASK_RETENTION_MS): number {
  return deleteFinishedTasks(db, now - Math.max(keepMs, TASK_RETENTION_MS));
}
