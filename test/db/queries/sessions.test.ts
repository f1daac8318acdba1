import { describe, it, expect, beforeEach } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { Db } from '#db/client.ts';
import { makeTestApp } from '#test/support/app.ts';
import { insertLoginSession } from '#db/queries/sessions.ts';
import { deleteUser, findUserForLogin, updateUser } from '#db/queries/users.ts';
import { seedOrg, seedUser } from '#test/support/fixtures.ts';

// A login reads the user, awaits the password check, then inserts: these tests replay the
// interleavings in that order, synchronously, so each one is exactly the race it names.
describe('insertLoginSession', () => {
  let db: Db;
  let userId: string;
  const row = () => ({ id: randomUUID(), tokenHash: randomUUID(), userId, createdAt: 1, lastUsedAt: 1, expiresAt: 2 });
  const sessionCount = () => (db.$client.prepare('SELECT count(*) AS n FROM sessions WHERE user_id = ?').get(userId) as { n: number }).n;

  beforeEach(async () => {
    db = (await makeTestApp()).db; // migrated and bootstrapped: the built-in roles exist
    userId = (await seedUser(db, seedOrg(db, 'Acme').id, 'alice', 'vApp User')).id;
  });

  it('inserts while the password generation is the one the login read', () => {
    const read = findUserForLogin(db, 'alice')!;
    updateUser(db, userId, { fullName: 'Alice B' });
    expect(insertLoginSession(db, row(), read.passwordGeneration)).toBe(true);
    expect(sessionCount()).toBe(1);
  });

  it('refuses once a new password was written after the read', () => {
    const read = findUserForLogin(db, 'alice')!;
    updateUser(db, userId, { passwordHash: 'scrypt$new' });
    expect(insertLoginSession(db, row(), read.passwordGeneration)).toBe(false);
    expect(sessionCount()).toBe(0);
    expect(insertLoginSession(db, row(), findUserForLogin(db, 'alice')!.passwordGeneration)).toBe(true);
  });

  it('refuses when the user was deleted after the read', () => {
    const read = findUserForLogin(db, 'alice')!;
    deleteUser(db, userId);
    expect(insertLoginSession(db, row(), read.passwordGeneration)).toBe(false);
  });
});
