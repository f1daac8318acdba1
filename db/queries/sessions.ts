/**
 * Session rows: created on login, looked up on every request, deleted on logout and whenever the
 * user or organization stops being allowed in.
 */
import { and, eq, inArray, ne, sql } from 'drizzle-orm';
import type { Db } from '../client.ts';
import { sessions, users } from '../schema.ts';

export interface SessionRow {
  id: string; userId: string; username: string; fullName: string; userEnabled: number;
  orgId: string; orgName: string; orgEnabled: number; orgIsProvider: number;
  createdAt: number; lastUsedAt: number; expiresAt: number; roles: string;
}

const LOOKUP = `
  SELECT s.id, s.user_id AS userId, u.username, u.full_name AS fullName, u.enabled AS userEnabled,
         o.id AS orgId, o.name AS orgName, o.is_enabled AS orgEnabled, o.is_provider AS orgIsProvider,
         s.created_at AS createdAt, s.last_used_at AS lastUsedAt, s.expires_at AS expiresAt,
         (SELECT json_group_array(json_object('id', x.id, 'name', x.name))
            FROM (SELECT r.id, r.name FROM user_roles ur JOIN roles r ON r.id = ur.role_id
                  WHERE ur.user_id = u.id ORDER BY ur.position) x) AS roles
    FROM sessions s JOIN users u ON u.id = s.user_id JOIN orgs o ON o.id = u.org_id`;

/** The session with its user, org and roles, by token hash or by id. */
export function findSession(db: Db, by: { tokenHash: string } | { id: string }): SessionRow | undefined {
  const where = 'tokenHash' in by ? ' WHERE s.token_hash = ?' : ' WHERE s.id = ?';
  return db.$client.prepare(LOOKUP + where).get('tokenHash' in by ? by.tokenHash : by.id) as SessionRow | undefined;
}

/** Inserts a session row (unconditionally: seeding; a login uses insertLoginSession). */
export function insertSession(db: Db, row: typeof sessions.$inferInsert): void {
  db.insert(sessions).values(row).run();
}

/**
 * Inserts a login's session only if its user still exists with the password generation the
 * login checked the password against; false (nothing inserted) otherwise. One statement, so
 * the check and the insert see the same state: a reset either committed before it (the
 * generation moved: refused) or after it (the reset's delete of the user's sessions takes this
 * one too). No session made with an old password outlives the reset.
 */
export function insertLoginSession(db: Db, row: typeof sessions.$inferInsert, passwordGeneration: number): boolean {
  const r = db.run(sql`
    INSERT INTO ${sessions} (${sql.identifier(sessions.id.name)}, ${sql.identifier(sessions.tokenHash.name)}, ${sql.identifier(sessions.userId.name)},
                             ${sql.identifier(sessions.createdAt.name)}, ${sql.identifier(sessions.lastUsedAt.name)}, ${sql.identifier(sessions.expiresAt.name)})
    SELECT ${row.id}, ${row.tokenHash}, ${row.userId}, ${row.createdAt}, ${row.lastUsedAt}, ${row.expiresAt}
     WHERE EXISTS (SELECT 1 FROM ${users} WHERE ${users.id} = ${row.userId} AND ${users.passwordGeneration} = ${passwordGeneration})`);
  return r.changes === 1;
}

/** Records activity for the idle timeout. */
export function touchSession(db: Db, id: string, now: number): void {
  db.update(sessions).set({ lastUsedAt: now }).where(eq(sessions.id, id)).run();
}

/** Deletes one session. */
export function deleteSession(db: Db, id: string): void {
  db.delete(sessions).where(eq(sessions.id, id)).run();
}

/** Ends every session of a user (but `exceptId`, the caller's own, when given). */
export function deleteUserSessions(db: Db, userId: string, exceptId?: string): void {
  db.delete(sessions).where(and(eq(sessions.userId, userId), exceptId ? ne(sessions.id, exceptId) : undefined)).run();
}

/** Ends every session of an organization's users. */
export function deleteOrgSessions(db: Db, orgId: string): void {
  const ids = db.select({ id: users.id }).from(users).where(eq(users.orgId, orgId)).all().map((r) => r.id);
  if (ids.length) db.delete(sessions).where(inArray(sessions.userId, ids)).run();
}
