/**
 * Password hashing as the app does it: the policy's scrypt parameters (injectable, so tests hash
 * with a small N) behind the app's one HashQueue, so logins, rehashes and password changes that
 * go through it share a bounded amount of CPU and memory.
 */
import { SCRYPT_DEFAULT, dummyHash, hashPassword, needsRehash, verifyPassword, type ScryptParams } from './password.ts';
import type { HashQueue } from './hash-queue.ts';

/** The hashing functions themselves (tests replace them to hold a check open). */
export interface PasswordImpl {
  hash(pw: string, params: ScryptParams): Promise<string>;
  verify(pw: string, stored: string): Promise<boolean>;
}

// Looked up at call time: a test that mocks the password module replaces what runs here too.
const SCRYPT_IMPL: PasswordImpl = { hash: (pw, params) => hashPassword(pw, params), verify: (pw, stored) => verifyPassword(pw, stored) };

export class Passwords {
  /** Checked instead of a stored hash for unknown users, at the same cost as a real one. */
  private readonly dummy: string;

  constructor(
    private readonly queue: HashQueue,
    readonly params: ScryptParams = SCRYPT_DEFAULT,
    private readonly impl: PasswordImpl = SCRYPT_IMPL,
  ) {
    this.dummy = dummyHash(params);
  }

  /** Hashes under the policy; `priority` as in HashQueue.run. Rejects with HashQueueFullError when refused. */
  hash(pw: string, priority = 0): Promise<string> {
    return this.queue.run(priority, () => this.impl.hash(pw, this.params));
  }

  /** Checks `pw` against `stored`, or against the dummy hash when there is no user. */
  verify(pw: string, stored: string | undefined, priority = 0): Promise<boolean> {
    return this.queue.run(priority, () => this.impl.verify(pw, stored ?? this.dummy));
  }

  /** Whether a stored hash is weaker than the policy. */
  needsRehash(stored: string): boolean {
    return needsRehash(stored, this.params);
  }
}
