/**
 * DELETE /cloudapi/1.0.0/sessions/current — log out: the token stops working at once.
 * 204; 401 UNAUTHORIZED without a valid token.
 */
import { defineRoute } from '#lib/http/route.ts';
import { deleteSession } from '#db/queries/sessions.ts';

export default defineRoute({ summary: 'Log out' }, function deleteCurrentSession(c) {
  deleteSession(c.var.db, c.var.session.id);
  return c.body(null, 204);
});
