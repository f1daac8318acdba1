/**
 * DELETE /cloudapi/1.0.0/users/{userId} — delete a user; their sessions end and the username is
 * free again. 204. 400 BAD_REQUEST for yourself or the last enabled System Administrator;
 * 403 for an invisible user or a role that may not delete them.
 */
import { defineRoute } from '#lib/http/route.ts';
import { atomic } from '#db/client.ts';
import { deleteUser } from '#db/queries/users.ts';
import { deleteUserSessions } from '#db/queries/sessions.ts';
import { badRequest } from '#lib/http/errors.ts';
import { visibleUser } from '#lib/users/visible.ts';
import { hasSysAdminRole, keepLastSysAdmin } from '#lib/users/rules.ts';

export default defineRoute({ summary: 'Delete a user', params: { userId: 'user' } }, function deleteUserHandler(c, { params }) {
  const u = visibleUser(c, params.userId, 'delete');
  if (u.id === c.var.session.userId) throw badRequest('You cannot delete your own account');
  const { db } = c.var;
  atomic(db, () => {
    if (u.enabled && u.orgIsProvider && hasSysAdminRole(u.roles)) keepLastSysAdmin(db, u.id, 'deleted');
    deleteUserSessions(db, u.id);
    deleteUser(db, u.id);
  });
  return c.body(null, 204);
});
