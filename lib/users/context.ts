/**
 * The operation context of a user write: the store, the caller, the clock and the password work,
 * passed explicitly (docs/architecture.md "Code conventions") rather than read from the request, so the admin command and tests
 * call the same operation — a test holds the scrypt awaits exactly where a concurrent request
 * could commit.
 */
import type { Db } from '#db/client.ts';
import type { Session } from '#lib/auth/session.ts';
import type { AuthedCtx } from '#lib/http/route.ts';
import { busyAs429 } from '#lib/auth/hashing-busy.ts';

/** The slow, awaited half of a password change. */
export interface Passwords {
  hash(password: string): Promise<string>;
  verify(password: string, stored: string): Promise<boolean>;
}

export interface UserOp {
  db: Db;
  /** The caller. */
  session: Session;
  now(): number;
  passwords: Passwords;
}

// The login's answer to the same condition (lib/auth/login.ts): a client error, retried later.

/**
 * The context of a request's user write. Passwords default to the app's (its scrypt policy behind
 * the one bounded hash queue, shared with logins); a full queue answers 429 rather than a 500.
 */
export function userOp(c: AuthedCtx, passwords: Passwords = c.var.passwords): UserOp {
  return { db: c.var.db, session: c.var.session, now: c.var.now, passwords: answeringBusy(passwords) };
}

/** `passwords` with a refused hash (HashQueueFullError) turned into 429 TOO_MANY_REQUESTS. */
export function answeringBusy(passwords: Passwords): Passwords {
  return {
    hash: (pw) => busyAs429(passwords.hash(pw)),
    verify: (pw, stored) => busyAs429(passwords.verify(pw, stored)),
  };
}

