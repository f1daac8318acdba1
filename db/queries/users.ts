/**
 * User rows and their roles.
 */
import { and, eq, getTableColumns, sql, type SQL } from 'drizzle-orm';
import { atomic, type Db } from '../client.ts';
import { orgs, userRoles, users } from '../schema.ts';
import type { ListPlan } from '#lib/http/list.ts';
import { SYSTEM_ADMIN } from '#lib/auth/roles.ts';
import { nextVersion } from '../version.ts';

export type UserRow = typeof users.$inferSelect;

export interface LoginUser {
  id: string; passwordHash: string; enabled: number; orgId: string; orgName: string;
  orgEnabled: number; orgIsProvider: number; isSysAdmin: number;
  /** Read with the hash: the session insert (insertLoginSession) is refused once it moved. */
  passwordGeneration: number;
}

/** The user a login names (usernames are unique in the installation). */
export function findUserForLogin(db: Db, username: string): LoginUser | undefined {
  return db.get<LoginUser | undefined>(sql`
    SELECT u.id, u.password_hash AS passwordHash, u.password_generation AS passwordGeneration,
           u.enabled, o.id AS orgId, o.name AS orgName,
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

/** A user with the name and kind of their organization (what the User object shows). */
export type UserWithOrg = UserRow & { orgName: string; orgIsProvider: boolean };

const withOrg = { ...getTableColumns(users), orgName: orgs.name, orgIsProvider: orgs.isProvider };

/** One user with their org, by id. */
export function findUserWithOrg(db: Db, id: string): UserWithOrg | undefined {
  return db.select(withOrg).from(users).innerJoin(orgs, eq(orgs.id, users.orgId)).where(eq(users.id, id)).get();
}

/** One user by username, case-insensitively. */
export function findUserByUsername(db: Db, username: string): UserRow | undefined {
  return db.select().from(users).where(eq(users.usernameKey, username.toLowerCase())).get();
}

/** One page of users (with their orgs) and the total under `where`. */
export function listUsers(db: Db, plan: ListPlan, where: SQL | undefined): { total: number; rows: UserWithOrg[] } {
  const total = db.select({ n: sql<number>`count(*)` }).from(users).where(where).get()!.n;
  const rows = db.select(withOrg).from(users).innerJoin(orgs, eq(orgs.id, users.orgId))
    .where(where).orderBy(...plan.orderBy).limit(plan.limit).offset(plan.offset).all();
  return { total, rows };
}

/** The roles of several users in one query, in each user's order. */
export function rolesOfUsers(db: Db, ids: string[]): Map<string, { id: string; name: string }[]> {
  const out = new Map<string, { id: string; name: string }[]>(ids.map((id) => [id, []]));
  if (!ids.length) return out;
  const rows = db.all<{ userId: string; id: string; name: string }>(sql`
    SELECT ur.user_id AS userId, r.id, r.name FROM user_roles ur JOIN roles r ON r.id = ur.role_id
     WHERE ur.user_id IN (${sql.join(ids.map((i) => sql`${i}`), sql`, `)}) ORDER BY ur.user_id, ur.position`);
  for (const r of rows) out.get(r.userId)!.push({ id: r.id, name: r.name });
  return out;
}

/** Inserts a user and their roles in one transaction (throws on a duplicate username). */
export function insertUserWithRoles(db: Db, row: typeof users.$inferInsert, roleIds: string[]): void {
  atomic(db, () => {
    db.insert(users).values(row).run();
    setUserRoles(db, row.id, roleIds);
  });
}

/**
 * Updates a user's row; its version (its ETag) moves when a column changes. A new password hash
 * also bumps the password generation, here rather than in each caller (the API, the admin
 * command) so none can forget.
 */
export function updateUser(db: Db, id: string, set: Partial<Omit<typeof users.$inferInsert, 'version' | 'passwordGeneration'>>): void {
  db.update(users).set({
    ...set,
    version: nextVersion(users, set),
    ...(set.passwordHash !== undefined && { passwordGeneration: sql`${users.passwordGeneration} + 1` }),
  }).where(eq(users.id, id)).run();
}

/**
 * Replaces the hash of the same password (new scrypt parameters, once a login knows the
 * password) while the password generation is still `generation`, the one that login checked:
 * a reset committed meanwhile is never undone. Neither the generation nor the version moves —
 * same password, same user as clients see them — so sessions and ETags stay. False when refused.
 */
export function replacePasswordHash(db: Db, id: string, generation: number, passwordHash: string): boolean {
  return db.update(users).set({ passwordHash })
    .where(and(eq(users.id, id), eq(users.passwordGeneration, generation))).run().changes === 1;
}

/**
 * Replaces an existing user's roles and moves their version: the roles are part of the user as
 * clients see and update them, though not a column of the row. Call inside the update's
 * transaction.
 */
export function replaceUserRoles(db: Db, userId: string, roleIds: string[]): void {
  setUserRoles(db, userId, roleIds);
  db.update(users).set({ version: sql`${users.version} + 1` }).where(eq(users.id, userId)).run();
}

/** Replaces a user's roles (call inside a transaction together with the row update). */
export function setUserRoles(db: Db, userId: string, roleIds: string[]): void {
  db.delete(userRoles).where(eq(userRoles.userId, userId)).run();
  if (roleIds.length) db.insert(userRoles).values(roleIds.map((roleId, position) => ({ userId, roleId, position }))).run();
}

/** Deletes a user; their roles and sessions go with them (foreign keys cascade). */
export function deleteUser(db: Db, id: string): void {
  db.delete(users).where(eq(users.id, id)).run();
}

/** How many enabled System Administrators (in the provider org) there are, optionally not counting one user. */
export function countEnabledSysAdmins(db: Db, exceptUserId?: string): number {
  return db.get<{ n: number }>(sql`
    SELECT count(*) AS n FROM users u JOIN orgs o ON o.id = u.org_id
     WHERE u.enabled = 1 AND o.is_provider = 1
       AND EXISTS (SELECT 1 FROM user_roles ur JOIN roles r ON r.id = ur.role_id
                   WHERE ur.user_id = u.id AND r.name = ${SYSTEM_ADMIN})
       ${exceptUserId ? sql`AND u.id <> ${exceptUserId}` : sql``}`)!.n;
}
