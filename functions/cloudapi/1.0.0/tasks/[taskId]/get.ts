/**
 * GET /cloudapi/1.0.0/tasks/{taskId} — one task as JSON.
 * 200 Task; 400 BAD_REQUEST for a malformed URN; 403 when it does not exist or is not visible.
 */
import { defineRoute } from '#lib/http/route.ts';
import { baseUrl } from '#lib/views/common.ts';
import { visibleTask } from '#lib/tasks/visible.ts';
import { taskView } from '#lib/views/task.ts';

export default defineRoute({ summary: 'Get a task', params: { taskId: 'task' } }, function getTask(c, { params }) {
  return c.json(taskView(visibleTask(c, params.taskId), baseUrl(c)));
});
