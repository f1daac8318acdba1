/**
 * POST /cloudapi/1.0.0/users — create a user (System Administrators anywhere; Organization
 * Administrators in their own org, never with the System Administrator role).
 * Org from `orgEntityRef` / `organizationId` / `organizationID` (default: the caller's operating
 * org); roles from `roleEntityRefs` / `roleEntityRef` by name or id (default `vApp User`).
 * 201 User with `Location`. 400 BAD_REQUEST for invalid fields or System Administrator outside
 * Provider; 400 DUPLICATE_NAME when the username is taken (case-insensitive); 403 for vApp Users,
 * an org the caller may not see, or granting System Administrator without being one.
 */
import { answeringBusy } from '#lib/users/context.ts';
import { defineRoute } from '#lib/http/route.ts';
import { may, requireAction } from '#lib/authz.ts';
import { findUserWithOrg, userRoleRefs } from '#db/queries/users.ts';
import { forbidden } from '#lib/http/errors.ts';
import { SYSTEM_ADMIN } from '#lib/auth/roles.ts';
import { UserCreateSchema, userInput } from '#lib/users/schema.ts';
import { resolveOrg, resolveRoles } from '#lib/users/refs.ts';
import { hasSysAdminRole } from '#lib/users/rules.ts';
import { createUser } from '#lib/users/create.ts';
import { userView } from '#lib/views/user.ts';
import { baseUrl } from '#lib/views/common.ts';
import { toUrn } from '#lib/urn.ts';

export default defineRoute({ summary: 'Create a user', body: UserCreateSchema }, async function createUserHandler(c, { body }) {
  const s = c.var.session;
  const { db } = c.var;
  requireAction(s, 'user', 'create');
  const input = userInput(body);
  const org = resolveOrg(db, s, input.org);
  const roles = resolveRoles(db, input.roles);
  if (!may(s, 'user', 'create', { orgId: org.id, isSysAdmin: hasSysAdminRole(roles) })) {
    throw forbidden(hasSysAdminRole(roles) ? `Your role may not grant the ${SYSTEM_ADMIN} role` : `Your role may not create users in organization '${org.name}'`);
  }
  const id = await createUser(db, {
    username: body.username, password: body.password, fullName: input.fullName, email: input.email,
    description: input.description, org, roles, enabled: input.enabled,
  }, c.var.now(), input.roles?.field, (pw) => answeringBusy(c.var.passwords).hash(pw));
  c.header('Location', `${baseUrl(c)}/cloudapi/1.0.0/users/${toUrn('user', id)}`);
  return c.json(userView(findUserWithOrg(db, id)!, userRoleRefs(db, id)), 201);
});
