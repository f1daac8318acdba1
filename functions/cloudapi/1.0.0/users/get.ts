/**
 * GET /cloudapi/1.0.0/users — the users the caller may see, paged (a vApp User sees only
 * themselves; a System Administrator's tenant context narrows to that org).
 * Filter/sort fields: id, username, name, fullName, email, orgEntityRef.id, enabled.
 * 400 BAD_REQUEST for bad paging or filters.
 */
import { eq } from 'drizzle-orm';
import { defineRoute } from '#lib/http/route.ts';
import { ListQuerySchema, pageResponse, planList, whereAll } from '#lib/http/list.ts';
import { listScope } from '#lib/authz.ts';
import { listUsers, rolesOfUsers } from '#db/queries/users.ts';
import { users } from '#db/schema.ts';
import { USER_FIELDS } from '#lib/users/schema.ts';
import { userView } from '#lib/views/user.ts';

export default defineRoute({ summary: 'List users', query: ListQuerySchema }, function listUsersHandler(c, { query }) {
  const plan = planList(query, USER_FIELDS);
  const scope = listScope(c.var.session, 'user');
  const { db } = c.var;
  const where = whereAll(
    scope.orgId ? eq(users.orgId, scope.orgId) : undefined,
    scope.selfId ? eq(users.id, scope.selfId) : undefined,
    plan.where,
  );
  const { total, rows } = listUsers(db, plan, where);
  const roles = rolesOfUsers(db, rows.map((u) => u.id));
  return pageResponse(c, plan, total, rows.map((u) => userView(u, roles.get(u.id)!)));
});
