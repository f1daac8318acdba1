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
 *
 * A password change awaits scrypt, and other requests commit meanwhile. So the change is decided
 * twice on the same rules: once before the awaits (to fail fast and to know what to hash), and
 * again inside the write's transaction on the row as it is then. Only the columns the request
 * changes are written, so a concurrent `{enabled:false}` or new fullName survives; and every
 * check (role table, last System Administrator, If-Match) is judged on that fresh row. A
 * request that changes nothing writes nothing (its version stays).
 */
import { atomic } from '#db/client.ts';
import { findOrg } from '#db/queries/orgs.ts';
import { findUserWithOrg, replaceUserRoles, updateUser, userRoleRefs, type UserRow } from '#db/queries/users.ts';
import { deleteUserSessions } from '#db/queries/sessions.ts';
import { isUniqueViolation } from '#db/errors.ts';
import { may } from '#lib/authz.ts';
import { SYSTEM_ADMIN } from '#lib/auth/roles.ts';
import { badRequest, duplicateName, forbidden } from '#lib/http/errors.ts';
import { toUrn } from '#lib/urn.ts';
import type { UserInput } from './schema.ts';
import { resolveOrg, resolveRoles } from './refs.ts';
import { checkRolesFitOrg, hasSysAdminRole, keepLastSysAdmin } from './rules.ts';
import { loadVisibleUser, userTarget, type VisibleUser } from './visible.ts';
import type { UserOp } from './context.ts';
import { NO_PRECONDITION, requireMatch, type IfMatch } from '#lib/http/etag.ts';

export type UpdateMode = 'replace' | 'patch';

/** The columns a request changes on the user as read, and what else the write must do. */
interface Decision {
  cur: VisibleUser;
  set: Partial<Pick<UserRow, 'username' | 'usernameKey' | 'fullName' | 'email' | 'description' | 'enabled' | 'orgId'>>;
  /** The new role list, only when it differs. */
  roles: { id: string; name: string }[] | undefined;
  /** The user stops being an enabled System Administrator (the last one must stay). */
  endsSysAdmin: boolean;
  /** Disabled, moved or given other roles: their sessions end. */
  endsSessions: boolean;
  self: boolean;
}

/**
 * Applies a PUT (`replace`) or PATCH to user `id`, if its version satisfies `ifMatch`; the user
 * as updated.
 */
export async function applyUserUpdate(op: UserOp, id: string, input: UserInput, mode: UpdateMode, ifMatch: IfMatch = NO_PRECONDITION): Promise<VisibleUser> {
  const { db, session: s } = op;
  const before = decide(op, id, input, mode, ifMatch);

  let passwordHash: string | undefined;
  if (input.password !== undefined) {
    if (before.self) {
      if (!input.currentPassword) throw badRequest('currentPassword: required to change your own password');
      if (!(await op.passwords.verify(input.currentPassword, before.cur.passwordHash))) throw badRequest('currentPassword: does not match your current password');
    }
    passwordHash = await op.passwords.hash(input.password);
  }

  try {
    atomic(db, () => {
      const now = decide(op, id, input, mode, ifMatch);
      // The current password was checked against the hash read before the awaits; a change of
      // password since then means it proved nothing about the password that is now current.
      if (passwordHash && now.self && now.cur.passwordGeneration !== before.cur.passwordGeneration) {
        throw badRequest('currentPassword: does not match your current password (it was changed meanwhile)');
      }
      if (now.endsSysAdmin) keepLastSysAdmin(db, id, 'disabled, demoted or moved out of the Provider organization');
      const set = { ...now.set, ...(passwordHash && { passwordHash }) };
      if (!Object.keys(set).length && !now.roles) return;
      updateUser(db, id, { ...set, updatedAt: op.now() });
      if (now.roles) replaceUserRoles(db, id, now.roles.map((r) => r.id));
      if (now.endsSessions || passwordHash) deleteUserSessions(db, id, now.self ? s.id : undefined);
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw duplicateName(`username: a user named '${input.username}' already exists`);
    throw e;
  }
  return { ...findUserWithOrg(db, id)!, roles: userRoleRefs(db, id) };
}

/**
 * Reads the user as they are now and decides what the request changes, throwing what the caller
 * may not do. Synchronous, so inside a transaction it sees one state of the database.
 */
function decide(op: UserOp, id: string, input: UserInput, mode: UpdateMode, ifMatch: IfMatch): Decision {
  const { db, session: s } = op;
  const cur = loadVisibleUser(db, s, id, 'update');
  requireMatch(ifMatch, cur.version, `User ${toUrn('user', id)}`);
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
  // Judged on the change, not the result: a self-service request racing an administrator who
  // disabled this user is not the user disabling themselves.
  if (self && !next.enabled && cur.enabled) throw badRequest('enabled: you cannot disable your own account');
  if (rolesChanged || orgChanged) checkRolesFitOrg(org, roles, input.roles?.field ?? 'roleEntityRefs');

  const set: Decision['set'] = {};
  if (next.username !== cur.username) Object.assign(set, { username: next.username, usernameKey: next.username.toLowerCase() });
  if (next.fullName !== cur.fullName) set.fullName = next.fullName;
  if (next.email !== cur.email) set.email = next.email;
  if (next.description !== cur.description) set.description = next.description;
  if (next.enabled !== cur.enabled) set.enabled = next.enabled;
  if (orgChanged) set.orgId = org.id;

  const wasActiveSysAdmin = cur.enabled && cur.orgIsProvider && hasSysAdminRole(cur.roles);
  const staysActiveSysAdmin = next.enabled && org.isProvider && hasSysAdminRole(roles);
  return {
    cur, set, roles: rolesChanged ? roles : undefined, self,
    endsSysAdmin: wasActiveSysAdmin && !staysActiveSysAdmin,
    endsSessions: !next.enabled || rolesChanged || orgChanged,
  };
}
