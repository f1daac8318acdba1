/**
 * GET /cloudapi/1.0.0/roles — the built-in roles, paged (everyone may read them).
 * Filter/sort fields: id, name, bundleKey. 400 BAD_REQUEST for bad paging or filters.
 */
import { defineRoute } from '#lib/http/route.ts';
import { ListQuerySchema, pageResponse, planList } from '#lib/http/list.ts';
import { requireAction } from '#lib/authz.ts';
import { listRoles } from '#db/queries/roles.ts';
import { roles } from '#db/schema.ts';
import type { Fields } from '#lib/http/list.ts';
import { roleView } from '#lib/views/role.ts';

const ROLE_FIELDS: Fields = {
  id: { col: roles.id, type: 'urn', urnType: 'role' },
  name: { col: roles.name, type: 'string' },
  bundleKey: { col: roles.bundleKey, type: 'string' },
};

export default defineRoute({ summary: 'List roles', query: ListQuerySchema }, function listRolesHandler(c, { query }) {
  requireAction(c.var.session, 'role', 'read');
  const plan = planList(query, ROLE_FIELDS);
  const { total, rows } = listRoles(c.var.db, plan, plan.where);
  return pageResponse(c, plan, total, rows.map(roleView));
});
