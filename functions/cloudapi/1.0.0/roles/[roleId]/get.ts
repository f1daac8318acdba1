/**
 * GET /cloudapi/1.0.0/roles/{roleId} — one role.
 * 200 Role; 400 BAD_REQUEST for a malformed URN; 403 when it does not exist.
 */
import { defineRoute } from '#lib/http/route.ts';
import { authorize } from '#lib/authz.ts';
import { findRole } from '#db/queries/roles.ts';
import { notVisible } from '#lib/http/errors.ts';
import { toUrn } from '#lib/urn.ts';
import { roleView } from '#lib/views/role.ts';

export default defineRoute({ summary: 'Get a role', params: { roleId: 'role' } }, function getRole(c, { params }) {
  const role = findRole(c.var.db, params.roleId);
  if (!role) throw notVisible('role', toUrn('role', params.roleId));
  // Roles belong to no org: the target's org is the caller's own.
  authorize(c.var.session, 'role', 'read', { orgId: c.var.session.orgId }, { type: 'role', id: role.id });
  return c.json(roleView(role));
});
