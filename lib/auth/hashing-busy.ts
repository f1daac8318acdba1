/**
 * A password hash the bounded queue refused (HashQueueFullError) is the server being busy, not a
 * client mistake: it is answered 429 with Retry-After, the same for logins, user creates and
 * password changes.
 */
import { tooManyRequests } from '#lib/http/errors.ts';
import { HashQueueFullError } from './hash-queue.ts';

/** How long a refused client should wait (a full queue clears in about a second at the production cost). */
export const BUSY_RETRY_MS = 1_000;
const HASHING_BUSY = 'The server is checking too many passwords at once; retry later';

/** `p`, with a refusal of the hashing queue turned into 429 TOO_MANY_REQUESTS. */
export async function busyAs429<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    if (e instanceof HashQueueFullError) throw tooManyRequests(HASHING_BUSY, BUSY_RETRY_MS);
    throw e;
  }
}
