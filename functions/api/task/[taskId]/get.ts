/**
 * GET /api/task/{taskId} — one task in VCD's legacy form: `Task` XML (namespace
 * http://www.vmware.com/vcloud/v1.5) by default, JSON when Accept names JSON. The id may be a bare
 * UUID or a task URN. 400 BAD_REQUEST for a malformed id; 403 when the task does not exist or is
 * not visible to the caller.
 */
import { defineRoute } from '#lib/http/route.ts';
import { wantsJson } from '#lib/http/accept.ts';
import { baseUrl } from '#lib/views/common.ts';
import { visibleTask } from '#lib/tasks/visible.ts';
import { TASK_MEDIA_TYPE, taskView, taskXml } from '#lib/views/task.ts';

export default defineRoute({ summary: 'Get a task (legacy API)', params: { taskId: 'task' } }, function getLegacyTask(c, { params }) {
  const task = visibleTask(c, params.taskId);
  const base = baseUrl(c);
  if (wantsJson(c.req.header('accept'))) return c.json(taskView(task, base));
  return c.body(taskXml(task, base), 200, { 'Content-Type': `${TASK_MEDIA_TYPE};charset=utf-8` });
});
