/**
 * Authorization: the role table of docs/api.md "Roles" in one place. Every function asks here; a target
 * the caller may not see answers like one that does not exist (VCD's 403), an action the role
 * lacks answers 403 saying which.
 */
import type { Session } from '#lib/auth/session.ts';
import { forbidden, notVisible } from '#lib/http/errors.ts';
import { toUrn, type UrnType } from '#lib/urn.ts';

export type Resource = 'org' | 'user' | 'role' | 'vdc' | 'vdcAdmin' | 'catalog' | 'catalogItem' | 'vapp' | 'vm' | 'task';
/**
 * `administer` (users): change what self-service may not — username, description, enabled, roles,
 * organization. `update` alone covers fullName, email and password.
 */
export type Action = 'read' | 'create' | 'update' | 'delete' | 'power' | 'instantiate' | 'administer';
type Kind = 'sys' | 'orgAdmin' | 'user';

/**
 * Scopes: `all` any org; `org` the caller's org; `orgOrPublished` own org or published (catalogs);
 * `self` the caller's own user record; `owner` objects the caller owns in their org;
 * `orgNonAdmin` own org, target not a System Administrator.
 */
type Scope = 'all' | 'org' | 'orgOrPublished' | 'self' | 'owner' | 'orgNonAdmin';

const TABLE: Record<Resource, Record<Kind, Partial<Record<Action, Scope>>>> = {
  org: {
    sys: { read: 'all', create: 'all', update: 'all', delete: 'all' },
    orgAdmin: { read: 'org' },
    user: { read: 'org' },
  },
  user: {
    sys: { read: 'all', create: 'all', update: 'all', delete: 'all', administer: 'all' },
    orgAdmin: { read: 'org', create: 'orgNonAdmin', update: 'orgNonAdmin', delete: 'orgNonAdmin', administer: 'orgNonAdmin' },
    user: { read: 'self', update: 'self' },
  },
  role: { sys: { read: 'all' }, orgAdmin: { read: 'all' }, user: { read: 'all' } },
  vdc: { sys: { read: 'all' }, orgAdmin: { read: 'org' }, user: { read: 'org' } },
  vdcAdmin: { sys: { read: 'all', create: 'all', update: 'all', delete: 'all' }, orgAdmin: {}, user: {} },
  catalog: {
    sys: { read: 'all', create: 'all', update: 'all', delete: 'all' },
    orgAdmin: { read: 'orgOrPublished', create: 'org', update: 'org', delete: 'org' },
    user: { read: 'orgOrPublished' },
  },
  catalogItem: { sys: { read: 'all' }, orgAdmin: { read: 'orgOrPublished' }, user: { read: 'orgOrPublished' } },
  vapp: {
    sys: { read: 'all', instantiate: 'all', update: 'all', delete: 'all', power: 'all' },
    orgAdmin: { read: 'org', instantiate: 'org', update: 'org', delete: 'org', power: 'org' },
    user: { read: 'owner', instantiate: 'org', update: 'owner', delete: 'owner', power: 'owner' },
  },
  vm: {
    sys: { read: 'all', power: 'all' },
    orgAdmin: { read: 'org', power: 'org' },
    user: { read: 'owner', power: 'owner' },
  },
  task: { sys: { read: 'all' }, orgAdmin: { read: 'org' }, user: { read: 'owner' } },
};

export interface Target {
  orgId: string;
  /** Owner user id (vApps, VMs, tasks) or the user's own id (users). */
  ownerId?: string;
  published?: boolean;
  /** For users: whether the target holds the System Administrator role. */
  isSysAdmin?: boolean;
}

function kind(s: Session): Kind {
  return s.isSysAdmin ? 'sys' : s.isOrgAdmin ? 'orgAdmin' : 'user';
}

function allows(scope: Scope | undefined, s: Session, t: Target): boolean {
  switch (scope) {
    case 'all': return true;
    case 'org': return t.orgId === s.orgId;
    case 'orgOrPublished': return t.orgId === s.orgId || t.published === true;
    case 'self': return t.ownerId === s.userId;
    case 'owner': return t.orgId === s.orgId && t.ownerId === s.userId;
    case 'orgNonAdmin': return t.orgId === s.orgId && !t.isSysAdmin;
    default: return false;
  }
}

/** Whether the caller may see the target at all. */
export function canSee(s: Session, resource: Resource, t: Target): boolean {
  return allows(TABLE[resource][kind(s)].read, s, t);
}

/** Whether the caller may do `action` on the target (visibility included); for checks on a target that does not exist yet. */
export function may(s: Session, resource: Resource, action: Action, t: Target): boolean {
  return canSee(s, resource, t) && allows(TABLE[resource][kind(s)][action], s, t);
}

/** Whether the caller's role has the action at all (ignoring the target). */
export function hasAction(s: Session, resource: Resource, action: Action): boolean {
  return TABLE[resource][kind(s)][action] !== undefined;
}

/**
 * Throws unless the caller may do `action` on the target. Invisible → the "does not exist or you
 * do not have access" 403; visible but not allowed → a 403 naming the action.
 */
export function authorize(s: Session, resource: Resource, action: Action, t: Target, ref: { type: UrnType; id: string }): void {
  if (!canSee(s, resource, t)) throw notVisible(ref.type, toUrn(ref.type, ref.id));
  if (action === 'read') return;
  if (!allows(TABLE[resource][kind(s)][action], s, t)) {
    throw forbidden(`Your role may not ${action} this ${ref.type} (${toUrn(ref.type, ref.id)})`);
  }
}

/** Throws a 403 when the caller's role lacks an action entirely (e.g. creating an org). */
export function requireAction(s: Session, resource: Resource, action: Action): void {
  if (!hasAction(s, resource, action)) throw forbidden(`Your role may not ${action} ${resource}s`);
}

/** What a list may contain for the caller: `orgId` narrows to one org, `ownerId` to one owner. */
export interface ListScope { orgId?: string; ownerId?: string; orPublished?: boolean; selfId?: string }

/** A text equal for two scopes exactly when they narrow a list the same way (cached pages are keyed on it). */
export function scopeKey(s: ListScope): string {
  return `${s.orgId ?? '*'}|${s.ownerId ?? ''}|${s.selfId ?? ''}|${s.orPublished ? 'published' : ''}`;
}

/** The list narrowing for a resource; a system administrator's tenant context narrows to that org. */
export function listScope(s: Session, resource: Resource): ListScope {
  const scope = TABLE[resource][kind(s)].read;
  const tenant = s.operatingOrgId !== s.orgId ? s.operatingOrgId : undefined;
  switch (scope) {
    case 'all': return resource === 'role' ? {} : { orgId: tenant };
    case 'org': return { orgId: s.orgId };
    case 'orgOrPublished': return { orgId: s.orgId, orPublished: true };
    case 'self': return { selfId: s.userId };
    case 'owner': return { orgId: s.orgId, ownerId: s.userId };
    default: return { orgId: '\u0000none' };
  }
}
