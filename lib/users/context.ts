/**
 * The operation context of a user write: the store, the caller, the clock and the password work,
 * passed explicitly (style.md) rather than read from the request, so the admin command and tests
 * call the same operation — a test holds the scrypt awaits exactly where a concurrent request
 * could commit.
 */
import type { Db } from '#db/client.ts';
import type { Session } from '#lib/auth/session.ts';
import type { AuthedCtx } from '#lib/http/route.ts';
import { hashPassword, verifyPassword } from '#lib/auth/password.ts';

/** The slow, awaited half of a password change. */
export interface Passwords {
  hash(password: string): Promise<string>;
  verify(password: string, stored: string): Promise<boolean>;
}

/** The real thing: scrypt (lib/auth/password.ts). */
export const SCRYPT_PASSWORDS: Passwords = { hash: hashPassword, verify: verifyPassword };

export interface UserOp {
  db: Db;
  /** The caller. */
  session: Session;
  now(): number;
  passwords: Passwords;
}

/** The context of a request's user write. */
export function userOp(c: AuthedCtx, passwords: Passwords = SCRYPT_PASSWORDS): UserOp {
  return { db: c.var.db, session: c.var.session, now: c.var.now, passwords };
}
