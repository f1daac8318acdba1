/**
 * DELETE /cloudapi/1.0.0/sessions/{sessionId} — end one of the caller's own sessions.
 * 204; 400 BAD_REQUEST for a malformed URN; 403 for a session that is not the caller's or does not exist.
 */
import { defineRoute } from '#lib/http/route.ts';
import { deleteSession } from '#db/queries/sessions.ts';
import { ownSession } from '#lib/auth/own-session.ts';

export default defineRoute({ summary: 'End one of your sessions', params: { sessionId: 'session' } }, function deleteSessionById(c, { params }) {
  deleteSession(c.var.db, ownSession(c, params.sessionId).id);
  return c.body(null, 204);
});
