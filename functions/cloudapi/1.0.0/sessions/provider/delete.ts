/**
 * DELETE /cloudapi/1.0.0/sessions/provider — log out the caller's own session, as VMware's Terraform SDK does (the
 * same as DELETE /cloudapi/1.0.0/sessions/current): the token stops working at once.
 * 204; 401 UNAUTHORIZED without a valid token.
 */
import { defineRoute } from '#lib/http/route.ts';
import { deleteSession } from '#db/queries/sessions.ts';

export default defineRoute({ summary: 'Log out (the caller\'s session)' }, function deleteProviderSession(c) {
  deleteSession(c.var.db, c.var.session.id);
  return c.body(null, 204);
});
