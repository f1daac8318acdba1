/**
 * Loads a task the caller may see (or the VCD 403).
 */
import type { Ctx } from '#lib/http/route.ts';
import { findTask, type TaskRow } from '#db/queries/tasks.ts';
import { authorize } from '#lib/authz.ts';
import { notVisible } from '#lib/http/errors.ts';
import { toUrn } from '#lib/urn.ts';

/** The task `id` if the caller may read it; a vApp User sees the tasks they started. */
export function visibleTask(c: Ctx, id: string): TaskRow {
  const task = findTask(c.var.db, id);
  if (!task) throw notVisible('task', toUrn('task', id));
  authorize(c.var.session!, 'task', 'read', { orgId: task.orgId, ownerId: task.userId }, { type: 'task', id });
  return task;
}
