/**
 * GET /cloudapi/1.0.0/sessions/{sessionId} — one of the caller's own sessions.
 * 200 Session; 400 BAD_REQUEST for a malformed URN; 403 for a session that is not the caller's or
 * does not exist.
 */
import { defineRoute } from '#lib/http/route.ts';
import { sessionView } from '#lib/views/session.ts';
import { ownSession } from '#lib/auth/own-session.ts';

export default defineRoute({ summary: 'One of your sessions', params: { sessionId: 'session' } }, function getSession(c, { params }) {
  return c.json(sessionView(ownSession(c, params.sessionId), c.var.config));
});
