/**
 * GET /cloudapi/1.0.0/users/current — the caller's own user.
 * 200 User; 401 UNAUTHORIZED without a valid token.
 */
import { defineRoute } from '#lib/http/route.ts';
import { visibleUser } from '#lib/users/visible.ts';
import { userView } from '#lib/views/user.ts';

export default defineRoute({ summary: 'The current user' }, function getCurrentUser(c) {
  const u = visibleUser(c, c.var.session.userId);
  return c.json(userView(u, u.roles));
});
