/**
 * The Session object of docs/api.md "Sessions".
 */
import type { Session } from '#lib/auth/session.ts';
import type { Config } from '#lib/config.ts';
import { uuid5 } from '#lib/uuid5.ts';
import { toUrn } from '#lib/urn.ts';
import { ref } from './common.ts';

/** Renders a session for the client. */
export function sessionView(s: Session, config: Config) {
  const siteId = uuid5(`site:${config.siteName}`);
  return {
    id: toUrn('session', s.id),
    user: ref('user', s.userId, s.username),
    org: ref('org', s.orgId, s.orgName),
    operatingOrg: ref('org', s.operatingOrgId, s.operatingOrgName),
    site: { name: config.siteName, id: toUrn('org', siteId).replace(':org:', ':site:') },
    location: `${s.orgId}@${siteId}`,
    roles: s.roles.map((r) => r.name),
    roleRefs: s.roles.map((r) => ref('role', r.id, r.name)),
    sessionIdleTimeoutMinutes: config.sessionIdleMinutes,
  };
}
