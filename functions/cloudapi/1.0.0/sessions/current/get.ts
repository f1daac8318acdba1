/**
 * GET /cloudapi/1.0.0/sessions/current — the caller's session.
 * 200 Session; 401 UNAUTHORIZED without a valid token.
 */
import { defineRoute } from '#lib/http/route.ts';
import { sessionView } from '#lib/views/session.ts';

export default defineRoute({ summary: 'The current session' }, function getCurrentSession(c) {
  return c.json(sessionView(c.var.session, c.var.config));
});
