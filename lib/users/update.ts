/**
 * User PUT/PATCH: one code path for both. PUT replaces the text fields (absent = empty) and PATCH
 * keeps what is absent; in both, an absent `enabled`, org or role list keeps its value, because a
 * client that omits a reference list rarely means "take every role away".
 *
 * Self-service (`update`) covers fullName, email and password; anything else that actually
 * changes needs `administer` on the user as they are and as they would become. Changing one's
 * own password needs the current one (`currentPassword`, alias `oldPassword`).
 * Disabling, a new password, new roles or a new org end the user's sessions, except the session
 * making the change.
 */
import { atomic } from '#db/client.ts';
import { findOrg } from '#db/queries/orgs.ts';
import { findUser, findUserWithOrg, setUserRoles, updateUser, userRoleRefs } from '#db/queries/users.ts';
import { deleteUserSessions } from '#db/queries/sessions.ts';
import { isUniqueViolation } from '#db/errors.ts';
import { may } from '#lib/authz.ts';
import { SYSTEM_ADMIN } from '#lib/auth/roles.ts';
import { badRequest, duplicateName, forbidden, notVisible } from '#lib/http/errors.ts';
import { toUrn } from '#lib/urn.ts';
import type { UserInput } from './schema.ts';
import { resolveOrg, resolveRoles } from './refs.ts';
import { checkRolesFitOrg, hasSysAdminRole, keepLastSysAdmin } from './rules.ts';
import { loadVisibleUser, userTarget, type VisibleUser } from './visible.ts';
import type { UserOp } from './context.ts';

/** Applies a PUT (`replace`) or PATCH to user `id`; the user as updated. */
export async function applyUserUpdate(op: UserOp, id: string, input: UserInput, mode: 'replace' | 'patch'): Promise<VisibleUser> {
  const { db, session: s } = op;
  const cur = loadVisibleUser(db, s, id, 'update');
  const text = (given: string | undefined, old: string) => given ?? (mode === 'replace' ? '' : old);
  const next = {
    username: input.username ?? cur.username,
    fullName: text(input.fullName, cur.fullName),
    email: text(input.email, cur.email),
    description: text(input.description, cur.description),
    enabled: input.enabled ?? cur.enabled,
  };
  const org = input.org ? resolveOrg(db, s, input.org) : findOrg(db, cur.orgId)!;
  const roles = input.roles ? resolveRoles(db, input.roles) : cur.roles;
  const rolesChanged = roles.map((r) => r.id).join() !== cur.roles.map((r) => r.id).join();
  const orgChanged = org.id !== cur.orgId;

  const privileged = [
    next.username !== cur.username && 'username',
    next.description !== cur.description && 'description',
    next.enabled !== cur.enabled && 'enabled',
    orgChanged && 'orgEntityRef',
    rolesChanged && 'roleEntityRefs',
  ].filter((x): x is string => typeof x === 'string');
  if (privileged.length) {
    const urn = toUrn('user', id);
    if (!may(s, 'user', 'administer', userTarget(cur, cur.roles))) {
      throw forbidden(`Your role may not change ${privileged.join(', ')} of user ${urn}`);
    }
    if (!may(s, 'user', 'administer', { orgId: org.id, ownerId: id, isSysAdmin: hasSysAdminRole(roles) })) {
      throw forbidden(hasSysAdminRole(roles) ? `Your role may not grant the ${SYSTEM_ADMIN} role` : `Your role may not move user ${urn} there`);
    }
  }
  const self = id === s.userId;
  if (self && !next.enabled) throw badRequest('enabled: you cannot disable your own account');
  if (rolesChanged || orgChanged) checkRolesFitOrg(org, roles, input.roles?.field ?? 'roleEntityRefs');

  let passwordHash: string | undefined;
  if (input.password !== undefined) {
    if (self) {
      if (!input.currentPassword) throw badRequest('currentPassword: required to change your own password');
      const stored = findUser(db, id)?.passwordHash ?? '';
      if (!(await op.passwords.verify(input.currentPassword, stored))) throw badRequest('currentPassword: does not match your current password');
    }
    passwordHash = await op.passwords.hash(input.password);
  }

  const wasActiveSysAdmin = cur.enabled && cur.orgIsProvider && hasSysAdminRole(cur.roles);
  const staysActiveSysAdmin = next.enabled && org.isProvider && hasSysAdminRole(roles);
  try {
    atomic(db, () => {
      // The user may have gone while the password was hashed.
      if (!findUser(db, id)) throw notVisible('user', toUrn('user', id));
      if (wasActiveSysAdmin && !staysActiveSysAdmin) keepLastSysAdmin(db, id, 'disabled, demoted or moved out of the Provider organization');
      updateUser(db, id, {
        ...next, usernameKey: next.username.toLowerCase(), orgId: org.id,
        ...(passwordHash && { passwordHash }), updatedAt: op.now(),
      });
      if (rolesChanged) setUserRoles(db, id, roles.map((r) => r.id));
      if (!next.enabled || passwordHash || rolesChanged || orgChanged) deleteUserSessions(db, id, self ? s.id : undefined);
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw duplicateName(`username: a user named '${next.username}' already exists`);
    throw e;
  }
  return { ...findUserWithOrg(db, id)!, roles: userRoleRefs(db, id) };
}
