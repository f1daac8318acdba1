/**
 * Creating a user: one path for POST /users and the admin command, so both keep the same rules
 * (unique username, roles that fit the org) and write the row and its roles in one transaction.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '#db/client.ts';
import type { OrgRow } from '#db/queries/orgs.ts';
import type { RoleRow } from '#db/queries/roles.ts';
import { findUserByUsername, insertUserWithRoles } from '#db/queries/users.ts';
import { isUniqueViolation } from '#db/errors.ts';
import { hashPassword } from '#lib/auth/password.ts';
import { duplicateName } from '#lib/http/errors.ts';
import { checkRolesFitOrg } from './rules.ts';

export interface NewUser {
  username: string;
  password: string;
  fullName?: string;
  email?: string;
  description?: string;
  org: OrgRow;
  roles: RoleRow[];
  enabled?: boolean;
}

/**
 * Creates the user and answers their id; 400 DUPLICATE_NAME when the username is taken. `hash`
 * is the server's bounded hashing queue (a hash costs 128 MiB at the production cost, so it must
 * not run beside the queue); the admin command, alone in its process, hashes directly.
 */
export async function createUser(db: Db, u: NewUser, now: number, rolesField = 'roleEntityRefs', hash: (pw: string) => Promise<string> = hashPassword): Promise<string> {
  checkRolesFitOrg(u.org, u.roles, rolesField);
  const taken = () => duplicateName(`username: a user named '${u.username}' already exists`);
  // Spares the scrypt work for the common case; the unique index decides races.
  if (findUserByUsername(db, u.username)) throw taken();
  const passwordHash = await hash(u.password);
  const id = randomUUID();
  try {
    insertUserWithRoles(db, {
      id, orgId: u.org.id, username: u.username, usernameKey: u.username.toLowerCase(),
      fullName: u.fullName ?? '', email: u.email ?? '', description: u.description ?? '',
      passwordHash, enabled: u.enabled ?? true, createdAt: now, updatedAt: now,
    }, u.roles.map((r) => r.id));
  } catch (e) {
    if (isUniqueViolation(e)) throw taken();
    throw e;
  }
  return id;
}
