/**
 * The caller's session: resolved from the token headers on every request, with idle and
 * absolute expiry, and the tenant context header applied.
 */
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '#lib/http/env.ts';
import { findSession, touchSession, deleteSession, type SessionRow } from '#db/queries/sessions.ts';
import { hashToken, tokenFromHeaders } from './token.ts';
import { ORG_ADMIN, SYSTEM_ADMIN } from './roles.ts';
import { forbidden, unauthorized, type ApiError } from '#lib/http/errors.ts';
import { parseUrn } from '#lib/urn.ts';
import { findOrg } from '#db/queries/orgs.ts';
import { dbGeneration } from '#db/generation.ts';
import { SessionCache } from './session-cache.ts';

export interface Session {
  id: string;
  userId: string;
  username: string;
  fullName: string;
  orgId: string;
  orgName: string;
  roles: { id: string; name: string }[];
  isSysAdmin: boolean;
  isOrgAdmin: boolean;
  /** The organization the caller acts in (tenant context); their own unless a sysadmin names another. */
  operatingOrgId: string;
  operatingOrgName: string;
  createdAt: number;
  expiresAt: number;
}

/** Writes of last-used time are coarse on purpose: one per minute per session is enough for idle expiry. */
const TOUCH_EVERY_MS = 60_000;
const EXPIRED = 'The session token is unknown or has expired';

/** Builds a Session from a looked-up row. */
export function toSession(row: SessionRow): Session {
  const roles = JSON.parse(row.roles) as { id: string; name: string }[];
  const names = roles.map((r) => r.name);
  return {
    id: row.id, userId: row.userId, username: row.username, fullName: row.fullName,
    orgId: row.orgId, orgName: row.orgName, roles,
    isSysAdmin: names.includes(SYSTEM_ADMIN) && row.orgIsProvider === 1,
    isOrgAdmin: names.includes(ORG_ADMIN),
    operatingOrgId: row.orgId, operatingOrgName: row.orgName,
    createdAt: row.createdAt, expiresAt: row.expiresAt,
  };
}

/**
 * Resolves the session when a token is present; routes decide whether one is required. The
 * database generation read for the session cache is left on `c.var.generation` for the list
 * cache, unless this middleware wrote (then a handler reads it afresh).
 */
export function authenticate(cache = new SessionCache()): MiddlewareHandler<AppEnv> {
  return async function authenticateRequest(c, next) {
    const token = tokenFromHeaders((n) => c.req.header(n));
    c.set('generation', undefined);
    if (token) {
      const { db, config } = c.var;
      const now = c.var.now();
      const tokenHash = hashToken(token);
      const generation = dbGeneration(db);
      let row = cache.get(tokenHash, generation);
      if (!row) {
        row = findSession(db, { tokenHash });
        if (row) cache.set(tokenHash, generation, row);
      }
      const idleLimit = row ? row.lastUsedAt + config.sessionIdleMinutes * 60_000 : 0;
      if (!row) {
        c.set('authError', unauthorized(EXPIRED));
      } else if (now > row.expiresAt || now > idleLimit || !row.userEnabled || !row.orgEnabled) {
        deleteSession(db, row.id);
        c.set('authError', unauthorized(EXPIRED));
      } else {
        if (now - row.lastUsedAt > TOUCH_EVERY_MS) touchSession(db, row.id, now);
        else c.set('generation', generation);
        const session = toSession(row);
        try {
          applyTenantContext(db, session, c.req.header('x-vmware-vcloud-tenant-context'));
          c.set('session', session);
        } catch (e) {
          c.set('authError', e as ApiError);
        }
      }
    }
    // Public routes ignore a bad token; routes that need a session raise authError (lib/http/route.ts).
    await next();
  };
}

function applyTenantContext(db: AppEnv['Variables']['db'], s: Session, header: string | undefined): void {
  const value = header?.trim();
  if (!value) return;
  const id = parseUrn('org', value);
  if (id === s.orgId) return;
  if (!s.isSysAdmin || !id) throw forbidden(`You may not act in organization ${value}`);
  const org = findOrg(db, id);
  if (!org) throw forbidden(`Organization ${value} does not exist or you do not have access`);
  if (org.isProvider) return;
  s.operatingOrgId = org.id;
  s.operatingOrgName = org.name;
}
