/**
 * PATCH /cloudapi/1.0.0/users/{userId} — change only the given fields (the SSVirt UI sends
 * `{enabled}`, `{roleEntityRefs}` or `{orgEntityRef}`). Same answers as PUT, If-Match and ETag
 * included.
 */
import { defineRoute } from '#lib/http/route.ts';
import { UserUpdateSchema, userInput } from '#lib/users/schema.ts';
import { applyUserUpdate } from '#lib/users/update.ts';
import { userOp } from '#lib/users/context.ts';
import { userView } from '#lib/views/user.ts';
import { etagHeader, ifMatchOf } from '#lib/http/etag.ts';

export default defineRoute({ summary: 'Update a user partially', params: { userId: 'user' }, body: UserUpdateSchema }, async function patchUser(c, { params, body }) {
  const u = await applyUserUpdate(userOp(c), params.userId, userInput(body), 'patch', ifMatchOf(c));
  return c.json(userView(u, u.roles), 200, etagHeader(u.version));
});
