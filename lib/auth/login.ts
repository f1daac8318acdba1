/**
 * Login with HTTP Basic `user@org:password` (or `user:password`): checks the password, the
 * user's and org's state, and creates a session with a fresh opaque token.
 *
 * Before any hashing, in this order: a locked account (when lock-out is on) is refused; a user
 * with `loginMaxParallelPerUser` checks in flight (one more per client address without recent
 * failures) gets 429 at once; a user or address with recent
 * failures waits out its back-off. The check then queues for the app's bounded hashing slots,
 * ranked by those failures. A good login replaces a hash weaker than the policy.
 */
import { randomUUID } from 'node:crypto';
import type { Context } from 'hono';
import type { AppEnv } from '#lib/http/env.ts';
import { tooManyRequests, unauthorized } from '#lib/http/errors.ts';
import { findUserForLogin, replacePasswordHash } from '#db/queries/users.ts';
import { findSession, insertLoginSession } from '#db/queries/sessions.ts';
import { HashQueueFullError } from './hash-queue.ts';
import { BUSY_RETRY_MS, busyAs429 } from './hashing-busy.ts';
import { loginKey } from './login-guard.ts';
import { hashToken, newToken } from './token.ts';
import { toSession, type Session } from './session.ts';
import { PROVIDER_ORG } from './roles.ts';
import { sessionView } from '#lib/views/session.ts';

const BAD_CREDENTIALS = 'Invalid credentials: the username, organization or password is wrong';
// Said for any login name with too many invalid logins, existing or not.
const LOCKED = 'This account is locked after too many invalid logins; try again later';
const TOO_MANY_PARALLEL = 'Too many logins for this user are being checked at once; retry later';

interface Credentials { username: string; org?: string; password: string }

/** Decodes a Basic Authorization header; undefined when absent or malformed. */
export function parseBasic(header: string | undefined): Credentials | undefined {
  const m = /^basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header ?? '');
  if (!m) return undefined;
  const text = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon < 1) return undefined;
  const login = text.slice(0, colon);
  const password = text.slice(colon + 1);
  const at = login.lastIndexOf('@');
  // Usernames may contain '@' (e-mail style): only a suffix naming an org counts as `@org`.
  return at > 0 ? { username: login.slice(0, at), org: login.slice(at + 1), password, } : { username: login, password };
}

/** Logs in and answers the session with the token headers; `providerOnly` for /sessions/provider. */
export async function login(c: Context<AppEnv>, opts: { providerOnly: boolean }): Promise<Response> {
  const { db, config, loginGuard: guard, passwords } = c.var;
  const creds = parseBasic(c.req.header('authorization'));
  if (!creds) throw unauthorized('Log in with HTTP Basic credentials user@org:password');
  const peer = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming?.socket?.remoteAddress;
  const address = guard.proxies.clientAddress(peer, c.req.header('x-forwarded-for'));

  let user = findUserForLogin(db, creds.username);
  let org = creds.org;
  let name = creds.username;
  if (!user && creds.org) {
    // "first.last@example.com" without an org suffix: the whole login is the username.
    const whole = findUserForLogin(db, `${creds.username}@${creds.org}`);
    if (whole) { user = whole; org = undefined; name = `${creds.username}@${creds.org}`; }
  }
  const userKey = loginKey.user(name);
  const addressKey = loginKey.address(address);
  const keys = [userKey, addressKey];

  const locked = () => guard.lockout.lockedFor(userKey) > 0;
  if (locked()) throw unauthorized(LOCKED);
  // Guesses at a user would otherwise hold every slot its real owner needs: each client address
  // without recent failures gets one more check of its own. A guesser's address loses it with its
  // first failure, and never takes another address's.
  const release = guard.inFlight.tryAcquire(userKey)
    ?? (guard.throttle.failureCount([addressKey]) === 0 ? guard.cleanLane.tryAcquire(`${userKey} ${addressKey}`) : undefined);
  if (!release) throw tooManyRequests(TOO_MANY_PARALLEL, Math.max(guard.throttle.waitFor(keys), BUSY_RETRY_MS));
  try {
    const wait = guard.throttle.waitFor(keys);
    if (wait > 0) await guard.sleep(wait);
    // A parallel attempt may have locked the account during the wait.
    if (locked()) throw unauthorized(LOCKED);
    const priority = guard.throttle.failureCount(keys);
    const ok = await busyAs429(passwords.verify(creds.password, user?.passwordHash, priority));
    const orgMatches = !org || !user || matchesOrg(org, user.orgName, user.orgIsProvider === 1);
    if (!user || !ok || !orgMatches || (opts.providerOnly && !user.isSysAdmin)) {
      const delay = guard.throttle.delayFor(keys);
      guard.throttle.fail(keys);
      guard.lockout.fail(userKey);
      // Held with the slot: parallel guesses of one user wait for each other.
      if (delay > 0) await guard.sleep(delay);
      throw unauthorized(BAD_CREDENTIALS);
    }
    if (!user.enabled || !user.orgEnabled) {
      throw unauthorized(user.enabled ? 'The organization of this account is disabled' : 'This account is disabled');
    }
    guard.throttle.succeed(userKey);
    guard.lockout.succeed(userKey);
    if (passwords.needsRehash(user.passwordHash)) {
      // Best effort: a busy queue leaves the old hash for the next login.
      const next = await passwords.hash(creds.password, priority).catch((e: unknown) => {
        if (e instanceof HashQueueFullError) return undefined;
        throw e;
      });
      if (next) replacePasswordHash(db, user.id, user.passwordGeneration, next);
    }
  } finally {
    release();
  }

  const token = newToken();
  const now = c.var.now();
  const id = randomUUID();
  // The user was read before the password check awaited: refused when they were deleted or their
  // password changed in between (a reset must end every session of the old password). Same answer.
  const row = { id, tokenHash: hashToken(token), userId: user.id, createdAt: now, lastUsedAt: now, expiresAt: now + config.sessionMaxHours * 3_600_000 };
  if (!insertLoginSession(db, row, user.passwordGeneration)) throw unauthorized(BAD_CREDENTIALS);
  const session: Session = toSession(findSession(db, { id })!);
  c.set('session', session);
  return c.json(sessionView(session, config), 200, {
    Authorization: `Bearer ${token}`,
    'X-VMWARE-VCLOUD-ACCESS-TOKEN': token,
    'X-VMWARE-VCLOUD-TOKEN-TYPE': 'Bearer',
  });
}


function matchesOrg(given: string, orgName: string, isProvider: boolean): boolean {
  const g = given.toLowerCase();
  return g === orgName.toLowerCase() || (isProvider && (g === 'system' || g === PROVIDER_ORG.toLowerCase()));
}
