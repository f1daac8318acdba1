/**
 * GET /cloudapi/1.0.0/tasks — the tasks the caller may see, newest first unless sorted, paged.
 * Filter/sort fields: id, name, status, operationName, owner.id, owner.name, user.id,
 * organization.id (alias org.id), startTime, endTime; free text searches operationName.
 * 400 BAD_REQUEST for bad paging or filters.
 */
import { asc, desc, eq } from 'drizzle-orm';
import { defineRoute } from '#lib/http/route.ts';
import { ListQuerySchema, pageResponse, planList, whereAll } from '#lib/http/list.ts';
import { listScope } from '#lib/authz.ts';
import { listTasks } from '#db/queries/tasks.ts';
import { tasks } from '#db/schema.ts';
import { TASK_FIELDS } from '#lib/tasks/schema.ts';
import { taskView } from '#lib/views/task.ts';
import { baseUrl } from '#lib/views/common.ts';

export default defineRoute({ summary: 'List tasks', query: ListQuerySchema }, function listTasksHandler(c, { query }) {
  const plan = planList(query, TASK_FIELDS, 'operationName');
  // Every task has the same name, so the generic name order says nothing: newest first instead.
  if (!query.sortAsc && !query.sortDesc) plan.orderBy = [desc(tasks.startTime), asc(tasks.id)];
  const scope = listScope(c.var.session, 'task');
  const where = whereAll(
    scope.orgId ? eq(tasks.orgId, scope.orgId) : undefined,
    // For tasks the role table's owner is the user who started the task.
    scope.ownerId ? eq(tasks.userId, scope.ownerId) : undefined,
    plan.where,
  );
  const { total, rows } = listTasks(c.var.db, plan, where);
  const base = baseUrl(c);
  return pageResponse(c, plan, total, rows.map((t) => taskView(t, base)));
});
