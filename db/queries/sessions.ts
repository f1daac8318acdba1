/**
 * Session rows: created on login, looked up on every request, deleted on logout and whenever the
 * user or organization stops being allowed in.
 */
import { and, eq, inArray, ne } from 'drizzle-orm';
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

/** Inserts a session row. */
export function insertSession(db: Db, row: typeof sessions.$inferInsert): void {
  db.insert(sessions).values(row).run();
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
