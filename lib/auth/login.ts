/**
 * Login with HTTP Basic `user@org:password` (or `user:password`): checks the password, the
 * user's and org's state, slows failures, and creates a session with a fresh opaque token.
 */
import { randomUUID } from 'node:crypto';
import type { Context } from 'hono';
import type { AppEnv } from '#lib/http/env.ts';
import { unauthorized } from '#lib/http/errors.ts';
import { findUserForLogin } from '#db/queries/users.ts';
import { findSession, insertLoginSession } from '#db/queries/sessions.ts';
import { DUMMY_HASH, verifyPassword } from './password.ts';
import { hashToken, newToken } from './token.ts';
import { toSession, type Session } from './session.ts';
import { PROVIDER_ORG } from './roles.ts';
import { sessionView } from '#lib/views/session.ts';

const BAD_CREDENTIALS = 'Invalid credentials: the username, organization or password is wrong';

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
  const { db, config, loginThrottle: throttle } = c.var;
  const creds = parseBasic(c.req.header('authorization'));
  if (!creds) throw unauthorized('Log in with HTTP Basic credentials user@org:password');
  const ip = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming?.socket?.remoteAddress ?? 'local';
  const keys = [`u:${creds.username.toLowerCase()}`, `ip:${ip}`];

  let user = findUserForLogin(db, creds.username);
  let org = creds.org;
  if (!user && creds.org) {
    // "first.last@example.com" without an org suffix: the whole login is the username.
    const whole = findUserForLogin(db, `${creds.username}@${creds.org}`);
    if (whole) { user = whole; org = undefined; }
  }
  const ok = await verifyPassword(creds.password, user?.passwordHash ?? DUMMY_HASH);
  const orgMatches = !org || !user || matchesOrg(org, user.orgName, user.orgIsProvider === 1);
  if (!user || !ok || !orgMatches || (opts.providerOnly && !user.isSysAdmin)) {
    const delay = throttle.delayFor(keys);
    throttle.fail(keys);
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    throw unauthorized(BAD_CREDENTIALS);
  }
  if (!user.enabled || !user.orgEnabled) {
    throw unauthorized(user.enabled ? 'The organization of this account is disabled' : 'This account is disabled');
  }
  throttle.succeed(keys[0]!);

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
