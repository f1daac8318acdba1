/**
 * Invariants every user write keeps, whoever asks (API or admin command): the System
 * Administrator role lives only in the Provider organization, and at least one enabled System
 * Administrator remains.
 */
import type { Db } from '#db/client.ts';
import { countEnabledSysAdmins } from '#db/queries/users.ts';
import { SYSTEM_ADMIN } from '#lib/auth/roles.ts';
import { badRequest } from '#lib/http/errors.ts';

/** Whether a set of roles includes System Administrator. */
export function hasSysAdminRole(roles: { name: string }[]): boolean {
  return roles.some((r) => r.name === SYSTEM_ADMIN);
}

/** 400 unless the roles fit the organization. */
export function checkRolesFitOrg(org: { name: string; isProvider: boolean }, roles: { name: string }[], field: string): void {
  if (hasSysAdminRole(roles) && !org.isProvider) {
    throw badRequest(`${field}: the ${SYSTEM_ADMIN} role is only for users of the Provider organization, not '${org.name}'`);
  }
}

/**
 * 400 when `userId`, an enabled System Administrator now, is the last one and the change would
 * end that. Call inside the write's transaction so two such changes cannot both pass.
 */
export function keepLastSysAdmin(db: Db, userId: string, what: string): void {
  if (countEnabledSysAdmins(db, userId) === 0) {
    throw badRequest(`The last enabled ${SYSTEM_ADMIN} cannot be ${what}`);
  }
}
