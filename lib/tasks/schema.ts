/**
 * The fields task lists filter and sort on.
 */
import { sql } from 'drizzle-orm';
import { tasks } from '#db/schema.ts';
import type { Fields } from '#lib/http/list.ts';

export const TASK_FIELDS: Fields = {
  id: { col: tasks.id, type: 'urn', urnType: 'task' },
  // Every task is named "task" (VCD); kept filterable because every list takes `name`.
  name: { col: sql`'task'`, type: 'string' },
  status: { col: tasks.status, type: 'string' },
  operationName: { col: tasks.operationName, type: 'string' },
  // The owner is a VM or a vApp, so its URN type is only known per row: compare whole URNs.
  'owner.id': { col: sql`('urn:vcloud:' || ${tasks.ownerType} || ':' || ${tasks.ownerId})`, type: 'string' },
  'owner.name': { col: tasks.ownerName, type: 'string' },
  'user.id': { col: tasks.userId, type: 'urn', urnType: 'user' },
  'organization.id': { col: tasks.orgId, type: 'urn', urnType: 'org' },
  'org.id': { col: tasks.orgId, type: 'urn', urnType: 'org' },
  startTime: { col: tasks.startTime, type: 'date' },
  endTime: { col: tasks.endTime, type: 'date' },
};
