/**
 * Resolves the organization and roles a user body names (URNs, bare ids or names) to rows,
 * answering 400 for malformed or unknown values and VCD's 403 for an org the caller may not see.
 */
import type { Db } from '#db/client.ts';
import type { Session } from '#lib/auth/session.ts';
import { findOrg, findOrgByName, type OrgRow } from '#db/queries/orgs.ts';
import { allRoles, type RoleRow } from '#db/queries/roles.ts';
import { canSee } from '#lib/authz.ts';
import { badRequest, notVisible } from '#lib/http/errors.ts';
import { parseUrn, toUrn } from '#lib/urn.ts';
import { VAPP_USER } from '#lib/auth/roles.ts';
import type { RoleInput, UserInput } from './schema.ts';

/** The org a body names, or the caller's operating org when it names none. */
export function resolveOrg(db: Db, s: Session, given: UserInput['org']): OrgRow {
  if (!given) return findOrg(db, s.operatingOrgId)!;
  let org: OrgRow | undefined;
  let label = given.value;
  if (given.byName) {
    org = findOrgByName(db, given.value);
  } else {
    const id = parseUrn('org', given.value);
    if (!id) throw badRequest(`${given.field}: must be a URN urn:vcloud:org:<uuid>`);
    org = findOrg(db, id);
    label = toUrn('org', id);
  }
  if (!org || !canSee(s, 'org', { orgId: org.id })) throw notVisible('org', label);
  return org;
}

/** The roles a body names, in order without repeats; `vApp User` when it names none. */
export function resolveRoles(db: Db, given: UserInput['roles']): RoleRow[] {
  const all = allRoles(db);
  if (!given) return all.filter((r) => r.name === VAPP_USER);
  if (!given.values.length) throw badRequest(`${given.field}: must name at least one role`);
  const out = new Map<string, RoleRow>();
  given.values.forEach((g, i) => {
    const r = findRoleIn(all, g, given.field === 'roleEntityRefs' ? `${given.field}[${i}]` : given.field);
    out.set(r.id, r);
  });
  return [...out.values()];
}

function findRoleIn(all: RoleRow[], g: RoleInput, field: string): RoleRow {
  const byName = (name: string) => all.find((r) => r.name.toLowerCase() === name.trim().toLowerCase());
  let found: RoleRow | undefined;
  if (typeof g === 'string') {
    const id = parseUrn('role', g);
    found = id ? all.find((r) => r.id === id) : byName(g);
    if (!found) throw badRequest(`${field}: no role '${g.slice(0, 128)}'; roles: ${all.map((r) => r.name).join(', ')}`);
    return found;
  }
  if (g.id) {
    const id = parseUrn('role', g.id);
    if (!id) throw badRequest(`${field}.id: must be a URN urn:vcloud:role:<uuid>`);
    found = all.find((r) => r.id === id);
    if (!found) throw badRequest(`${field}.id: no role ${toUrn('role', id)}`);
    return found;
  }
  if (g.name) {
    found = byName(g.name);
    if (!found) throw badRequest(`${field}.name: no role '${g.name.slice(0, 128)}'; roles: ${all.map((r) => r.name).join(', ')}`);
    return found;
  }
  throw badRequest(`${field}: give the role's id or name`);
}
