/**
 * GET /cloudapi/1.0.0/users/{userId} — one user.
 * 200 User with its `ETag` (for If-Match on PUT/PATCH); 400 BAD_REQUEST for a malformed URN; 403 when it does not exist or the caller may
 * not see it (another org's user; for a vApp User, anyone but themselves).
 */
import { defineRoute } from '#lib/http/route.ts';
import { visibleUser } from '#lib/users/visible.ts';
import { userView } from '#lib/views/user.ts';
import { etagHeader } from '#lib/http/etag.ts';

export default defineRoute({ summary: 'Get a user', params: { userId: 'user' } }, function getUser(c, { params }) {
  const u = visibleUser(c, params.userId);
  return c.json(userView(u, u.roles), 200, etagHeader(u.version));
});
