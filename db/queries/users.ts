/**
 * User rows and their roles.
 */
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../client.ts';
import { users } from '../schema.ts';
import { SYSTEM_ADMIN } from '#lib/auth/roles.ts';

export type UserRow = typeof users.$inferSelect;

export interface LoginUser {
  id: string; passwordHash: string; enabled: number; orgId: string; orgName: string;
  orgEnabled: number; orgIsProvider: number; isSysAdmin: number;
}

/** The user a login names (usernames are unique in the installation). */
export function findUserForLogin(db: Db, username: string): LoginUser | undefined {
  return db.get<LoginUser | undefined>(sql`
    SELECT u.id, u.password_hash AS passwordHash, u.enabled, o.id AS orgId, o.name AS orgName,
           o.is_enabled AS orgEnabled, o.is_provider AS orgIsProvider,
           EXISTS (SELECT 1 FROM user_roles ur JOIN roles r ON r.id = ur.role_id
                   WHERE ur.user_id = u.id AND r.name = ${SYSTEM_ADMIN}) AND o.is_provider AS isSysAdmin
      FROM users u JOIN orgs o ON o.id = u.org_id
     WHERE u.username_key = ${username.toLowerCase()}`);
}

/** One user by id. */
export function findUser(db: Db, id: string): UserRow | undefined {
  return db.select().from(users).where(eq(users.id, id)).get();
}

/** A user's roles, in order. */
export function userRoleRefs(db: Db, userId: string): { id: string; name: string }[] {
  return db.all<{ id: string; name: string }>(sql`
    SELECT r.id, r.name FROM user_roles ur JOIN roles r ON r.id = ur.role_id
     WHERE ur.user_id = ${userId} ORDER BY ur.position`);
}
