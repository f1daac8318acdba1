import { describe, it, expect, beforeEach } from 'vitest';
import { makeTestApp, json, type TestApp } from '#test/support/app.ts';
import { seedOrg, seedUser, TEST_SCRYPT, USER_PASSWORD } from '#test/support/fixtures.ts';
import { deferred } from '#test/support/deferred.ts';
import { findSession } from '#db/queries/sessions.ts';
import { findUser } from '#db/queries/users.ts';
import { hashToken } from '#lib/auth/token.ts';
import { toSession, type Session } from '#lib/auth/session.ts';
import { applyUserUpdate } from '#lib/users/update.ts';
import type { Passwords, UserOp } from '#lib/users/context.ts';
import { hashPassword, verifyPassword } from '#lib/auth/password.ts';
import { userInput } from '#lib/users/schema.ts';
import { entityTag, parseIfMatch } from '#lib/http/etag.ts';

const path = (id: string) => `/cloudapi/1.0.0/users/${encodeURIComponent(`urn:vcloud:user:${id}`)}`;

/** Scrypt whose hashing stops until the test lets it go: where a concurrent request commits. */
function heldPasswords() {
  const hashing = deferred();
  const release = deferred();
  const passwords: Passwords = {
    verify: verifyPassword,
    async hash(pw) {
      hashing.resolve();
      await release.promise;
      return hashPassword(pw, TEST_SCRYPT);
    },
  };
  return { passwords, hashing: hashing.promise, release: () => release.resolve() };
}

describe('applyUserUpdate racing another write of the same user', () => {
  let t: TestApp;
  let admin: string;
  let alice: Awaited<ReturnType<typeof seedUser>>;
  const sessionOf = (token: string): Session => toSession(findSession(t.db, { tokenHash: hashToken(token) })!);
  const opOf = (token: string, passwords: Passwords): UserOp => ({ db: t.db, session: sessionOf(token), now: () => Date.now(), passwords });

  beforeEach(async () => {
    t = await makeTestApp();
    admin = await t.adminToken();
    const acme = seedOrg(t.db, 'Acme');
    alice = await seedUser(t.db, acme.id, 'alice', 'vApp User', { fullName: 'Alice A', email: 'a@example.com' });
  });

  it("keeps an administrator's {enabled:false} committed while a password change hashed", async () => {
    const held = heldPasswords();
    const own = applyUserUpdate(opOf(await t.login('alice', USER_PASSWORD), held.passwords), alice.id,
      userInput({ password: 'brand-new-pass', currentPassword: USER_PASSWORD }), 'patch');
    await held.hashing;
    expect((await t.request('PATCH', path(alice.id), { token: admin, body: { enabled: false } })).status).toBe(200);
    held.release();
    await own;
    expect(findUser(t.db, alice.id)!.enabled).toBe(false);
    await expect(t.login('alice', 'brand-new-pass')).rejects.toThrow(/401/);
  });

  it('keeps a fullName and email committed while an administrator reset the password', async () => {
    const held = heldPasswords();
    const reset = applyUserUpdate(opOf(admin, held.passwords), alice.id, userInput({ password: 'brand-new-pass' }), 'patch');
    await held.hashing;
    const tok = await t.login('alice', USER_PASSWORD);
    const mine = await t.request('PATCH', path(alice.id), { token: tok, body: { fullName: 'Alice B', email: 'b@example.com' } });
    expect(mine.status).toBe(200);
    held.release();
    const after = await reset;
    expect(after).toMatchObject({ fullName: 'Alice B', email: 'b@example.com' });
    expect(findUser(t.db, alice.id)).toMatchObject({ fullName: 'Alice B', email: 'b@example.com' });
    expect((await json(await t.request('GET', path(alice.id), { token: admin }))).fullName).toBe('Alice B');
  });

  it('answers 412 when the If-Match version moved while the password hashed: checked again in the transaction', async () => {
    const held = heldPasswords();
    const current = parseIfMatch(entityTag(findUser(t.db, alice.id)!.version));
    const reset = applyUserUpdate(opOf(admin, held.passwords), alice.id, userInput({ password: 'brand-new-pass' }), 'patch', current);
    await held.hashing;
    expect((await t.request('PATCH', path(alice.id), { token: admin, body: { fullName: 'Alice B' } })).status).toBe(200);
    held.release();
    await expect(reset).rejects.toMatchObject({ status: 412, minorErrorCode: 'PRECONDITION_FAILED' });
    await t.login('alice', USER_PASSWORD);
  });
});
