/**
 * PUT /cloudapi/1.0.0/users/{userId} — replace a user's editable fields: fullName, email and
 * description are replaced (absent = empty); username, enabled, roles and org change when given.
 * 200 User with its `ETag`. 400 BAD_REQUEST (invalid fields, disabling yourself, the last enabled
 * System Administrator, a wrong or missing `currentPassword` when changing your own password),
 * 400 DUPLICATE_NAME for a taken username, 403 for an invisible user or a change the role may
 * not make, 412 PRECONDITION_FAILED when `If-Match` names another version (lib/http/etag.ts).
 * See lib/users/update.ts for which changes end sessions.
 */
import { defineRoute } from '#lib/http/route.ts';
import { UserUpdateSchema, userInput } from '#lib/users/schema.ts';
import { applyUserUpdate } from '#lib/users/update.ts';
import { userOp } from '#lib/users/context.ts';
import { userView } from '#lib/views/user.ts';
import { etagHeader, ifMatchOf } from '#lib/http/etag.ts';

export default defineRoute({ summary: 'Replace a user', params: { userId: 'user' }, body: UserUpdateSchema }, async function putUser(c, { params, body }) {
  const u = await applyUserUpdate(userOp(c), params.userId, userInput(body), 'replace', ifMatchOf(c));
  return c.json(userView(u, u.roles), 200, etagHeader(u.version));
});
