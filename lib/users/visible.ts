/**
 * Loads a user the caller may see (or VCD's 403), with their roles and what the role table
 * needs to judge them.
 */
import type { Ctx } from '#lib/http/route.ts';
import type { Db } from '#db/client.ts';
import type { Session } from '#lib/auth/session.ts';
import { findUserWithOrg, userRoleRefs, type UserWithOrg } from '#db/queries/users.ts';
import { authorize, type Action, type Target } from '#lib/authz.ts';
import { notVisible } from '#lib/http/errors.ts';
import { toUrn } from '#lib/urn.ts';
import { hasSysAdminRole } from './rules.ts';

export type VisibleUser = UserWithOrg & { roles: { id: string; name: string }[] };

/** The role-table target for a user. */
export function userTarget(u: { id: string; orgId: string; orgIsProvider: boolean }, roles: { name: string }[]): Target {
  return { orgId: u.orgId, ownerId: u.id, isSysAdmin: u.orgIsProvider && hasSysAdminRole(roles) };
}

/** The user `id` with their roles if the caller may `action` them. */
export function visibleUser(c: Ctx, id: string, action: Action = 'read'): VisibleUser {
  return loadVisibleUser(c.var.db, c.var.session!, id, action);
}

/** The same for an operation context (no request at hand). */
export function loadVisibleUser(db: Db, session: Session, id: string, action: Action = 'read'): VisibleUser {
  const u = findUserWithOrg(db, id);
  if (!u) throw notVisible('user', toUrn('user', id));
  const roles = userRoleRefs(db, id);
  authorize(session, 'user', action, userTarget(u, roles), { type: 'user', id });
  return { ...u, roles };
}
