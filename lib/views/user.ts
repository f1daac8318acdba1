/**
 * The User object of docs/api.md "Users and roles". `password` is write-only and never rendered.
 */
import type { UserWithOrg } from '#db/queries/users.ts';
import { toUrn } from '#lib/urn.ts';
import { iso, ref } from './common.ts';

/** Renders a user with their org and roles (in order; the first is `roleEntityRef`). */
export function userView(u: UserWithOrg, roles: { id: string; name: string }[]) {
  const roleRefs = roles.map((r) => ref('role', r.id, r.name));
  return {
    id: toUrn('user', u.id),
    username: u.username,
    name: u.username,
    fullName: u.fullName,
    description: u.description,
    email: u.email,
    orgEntityRef: ref('org', u.orgId, u.orgName),
    roleEntityRefs: roleRefs,
    roleEntityRef: roleRefs[0] ?? null,
    enabled: u.enabled,
    locked: false,
    providerType: 'LOCAL',
    nameInSource: u.username,
    deployedVmQuota: 0,
    storedVmQuota: 0,
    createdDate: iso(u.createdAt),
    lastModifiedDate: iso(u.updatedAt),
  };
}
