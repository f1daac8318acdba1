/**
 * The role table of docs/api.md "Roles" (lib/authz.ts) as every route applies it: each route is called as
 * anonymous, the vApp User of org A, the Organization Administrator of A and the System
 * Administrator (Provider), against objects of org A and of org B (and, where the table makes a
 * difference, objects of A that the vApp User does not own, a published catalog of B, the caller
 * themselves, a deprecated template), and the exact status is compared with the table below.
 *
 * Reading the table: each target maps to `[anonymous, vApp User, Org Admin, System Admin]`.
 * For lists the cell is SEEN/HIDDEN: 200 and whether the target object is in the list (filtered
 * by its id). Routes that need a cluster run without one, so a call the role table allows answers
 * the documented 503 CLUSTER_UNAVAILABLE (authorization is decided before the cluster is asked);
 * catalog item routes get a fake template cache (test/support/templates.ts).
 *
 * One world per cluster variant, and every call runs inside a transaction rolled back afterwards
 * (the product's own transactions nest as savepoints): each row sees the same untouched world, as
 * if it were fresh, without paying a scrypt bootstrap per row.
 */
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, makeTestApp, type TestApp } from '#test/support/app.ts';
import { seedCatalog, seedOrg, seedTask, seedUser, seedVapp, seedVdc, seedVm, USER_PASSWORD } from '#test/support/fixtures.ts';
import { fakeCluster, fakeTemplate, FakeTemplateSource } from '#test/support/templates.ts';
import { scanRoutes } from '#lib/http/routes.ts';
import { insertSession } from '#db/queries/sessions.ts';
import { users } from '#db/schema.ts';
import { hashToken, newToken } from '#lib/auth/token.ts';
import { BUILTIN_ROLES } from '#lib/auth/roles.ts';
import { catalogItemId } from '#lib/catalog/items.ts';
import { scopeKey, type ListScope } from '#lib/authz.ts';

const PERSONAS = ['anon', 'user', 'orgAdmin', 'sys'] as const;
type Persona = (typeof PERSONAS)[number];
type LoggedIn = Exclude<Persona, 'anon'>;

/** List cells: 200, and the target object is (SEEN) or is not (HIDDEN) in the list. */
const SEEN = 'seen';
const HIDDEN = 'hidden';
/** A 400 for a rule that is not the role table's, with a fragment of its message (so a 400 for a bad body cannot pass). */
type Refusal = `400 ${string}`;
type Cell = number | typeof SEEN | typeof HIDDEN | Refusal;
/** anonymous, vApp User of A, Organization Administrator of A, System Administrator. */
type Cells = [Cell, Cell, Cell, Cell];

interface Call {
  /** Defaults to the route's own path (routes without parameters). */
  path?: string;
  body?: unknown;
  /** Log in with the persona's Basic credentials instead of sending its token. */
  basic?: boolean;
  /** The path filters a list down to the target object: the answer is SEEN or HIDDEN. */
  list?: boolean;
}

interface RouteCase {
  /** `METHOD /path` exactly as scanRoutes() reports it. */
  route: string;
  /** 'templates': the world with a fake template cache (catalog items). */
  world?: 'templates';
  call?: (w: World, target: string, p: Persona) => Call;
  /** Target → expected cells. `any` for routes without an object. */
  expect: Record<string, Cells>;
}

// ---------------------------------------------------------------------------------------------
// The world

interface World {
  t: TestApp;
  tokens: Record<LoggedIn, string>;
  /** The persona's own user and session ids (anonymous borrows the vApp User's: it never gets past 401). */
  selfUser: Record<Persona, string>;
  selfSession: Record<Persona, string>;
  orgs: Record<string, string>;
  vdcs: Record<string, string>;
  catalogs: Record<string, string>;
  /** The catalog and template of each catalog-item target. */
  items: Record<string, { catalog: string; template: string }>;
  vapps: Record<string, string>;
  vms: Record<string, string>;
  tasks: Record<string, string>;
  /** Users and sessions of others: A = another vApp User of A, B = a vApp User of B. */
  users: Record<string, string>;
  sessions: Record<string, string>;
}

function mint(t: TestApp, userId: string): { id: string; token: string } {
  const id = randomUUID();
  const token = newToken();
  const now = Date.now();
  insertSession(t.db, { id, tokenHash: hashToken(token), userId, createdAt: now, lastUsedAt: now, expiresAt: now + 3_600_000 });
  return { id, token };
}

async function buildWorld(t: TestApp): Promise<World> {
  const { db } = t;
  const acme = seedOrg(db, 'Acme');
  const beta = seedOrg(db, 'Beta');
  const provider = db.select().from(users).where(eq(users.usernameKey, ADMIN.username)).get()!;
  const orgAdmin = await seedUser(db, acme.id, 'acme-admin', 'Organization Administrator');
  const user = await seedUser(db, acme.id, 'acme-user', 'vApp User');
  const user2 = await seedUser(db, acme.id, 'acme-user2', 'vApp User');
  const betaUser = await seedUser(db, beta.id, 'beta-user', 'vApp User');

  const sUser = mint(t, user.id);
  const sOrgAdmin = mint(t, orgAdmin.id);
  const sSys = mint(t, provider.id);
  const sUser2 = mint(t, user2.id);
  const sBeta = mint(t, betaUser.id);

  const vdcA = seedVdc(db, acme.id, 'dev');
  const vdcB = seedVdc(db, beta.id, 'prod');
  const catA = seedCatalog(db, acme.id, 'acme-catalog');
  const catB = seedCatalog(db, beta.id, 'beta-catalog');
  const catBPublished = seedCatalog(db, beta.id, 'beta-public', { isPublished: true });

  // Powered off, in enabled READY VDCs: delete and powerOn pass every check before the cluster's.
  const vappA = seedVapp(db, vdcA, user.id, 'web');
  const vappAdmin = seedVapp(db, vdcA, orgAdmin.id, 'db');
  const vappB = seedVapp(db, vdcB, betaUser.id, 'beta-app');
  const vmA = seedVm(db, vappA, vdcA.namespace, 'web-1');
  const vmAdmin = seedVm(db, vappAdmin, vdcA.namespace, 'db-1');
  const vmB = seedVm(db, vappB, vdcB.namespace, 'beta-1');
  // Each task is started by the owner of the vApp it is about, so "the tasks a vApp User
  // started" and "the tasks of the vApps a vApp User owns" agree (docs/api.md "Roles": a vApp User sees the tasks they started).
  const task = (orgId: string, userId: string, vappId: string) => seedTask(db, { orgId, userId, ownerId: vappId, ownerType: 'vapp' }).id;

  return {
    t,
    tokens: { user: sUser.token, orgAdmin: sOrgAdmin.token, sys: sSys.token },
    selfUser: { anon: user.id, user: user.id, orgAdmin: orgAdmin.id, sys: provider.id },
    selfSession: { anon: sUser.id, user: sUser.id, orgAdmin: sOrgAdmin.id, sys: sSys.id },
    orgs: { A: acme.id, B: beta.id, Provider: provider.orgId },
    vdcs: { A: vdcA.id, B: vdcB.id },
    catalogs: { A: catA.id, B: catB.id, 'B, published': catBPublished.id },
    items: {
      A: { catalog: catA.id, template: 'fedora-small' },
      B: { catalog: catB.id, template: 'fedora-small' },
      'B, published': { catalog: catBPublished.id, template: 'fedora-small' },
      'A, deprecated template': { catalog: catA.id, template: 'legacy-deprecated' },
      'A, hidden-tagged template': { catalog: catA.id, template: 'tagged-hidden' },
    },
    vapps: { A: vappA.id, "A, Org Admin's": vappAdmin.id, B: vappB.id },
    vms: { A: vmA.id, "A, Org Admin's": vmAdmin.id, B: vmB.id },
    tasks: { A: task(acme.id, user.id, vappA.id), "A, Org Admin's": task(acme.id, orgAdmin.id, vappAdmin.id), B: task(beta.id, betaUser.id, vappB.id) },
    users: { A: user2.id, B: betaUser.id },
    sessions: { A: sUser2.id, B: sBeta.id },
  };
}

const CREDENTIALS: Record<LoggedIn, string> = {
  user: `acme-user@Acme:${USER_PASSWORD}`,
  orgAdmin: `acme-admin@Acme:${USER_PASSWORD}`,
  sys: `${ADMIN.username}@System:${ADMIN.password}`,
};

// ---------------------------------------------------------------------------------------------
// Helpers for the table

const R = '/cloudapi/1.0.0';
const urn = (type: string, id: string) => encodeURIComponent(`urn:vcloud:${type}:${id}`);
const filterId = (type: string, id: string) => `?filter=${encodeURIComponent(`id==urn:vcloud:${type}:${id}`)}`;

/** A well-formed id that exists nowhere: answered exactly like an object the caller may not see. */
const MISSING = randomUUID();

/** The target's entry in a world map ('missing' in every one); an unknown target is a mistake in the table. */
function pick(map: Record<string, string>, target: string): string {
  if (target === 'missing') return MISSING;
  const v = map[target];
  if (v === undefined) throw new Error(`no object for target '${target}'`);
  return v;
}

const self = (w: World, t: string, p: Persona, map: Record<string, string>) => (t === 'self' ? w.selfUser[p] : pick(map, t));
const userOf = (w: World, t: string, p: Persona) => self(w, t, p, w.users);
const sessionOf = (w: World, t: string, p: Persona) => (t === 'self' ? w.selfSession[p] : pick(w.sessions, t));

function itemOf(w: World, t: string): { catalog: string; item: string } {
  if (t === 'missing') return { catalog: MISSING, item: MISSING };
  if (t === 'A, missing item') return { catalog: pick(w.catalogs, 'A'), item: MISSING };
  const i = w.items[t];
  if (!i) throw new Error(`no catalog item for target '${t}'`);
  return { catalog: i.catalog, item: catalogItemId(i.catalog, { namespace: 'openshift', name: i.template }) };
}

const SELF_DELETE: Refusal = '400 You cannot delete your own account';
const VAPP_USER_ROLE = BUILTIN_ROLES.find((r) => r.name === 'vApp User')!.id;

// ---------------------------------------------------------------------------------------------
// The table: every route, every persona, every target.

const ROUTES: RouteCase[] = [
  // Cells: [anonymous, vApp User of A, Organization Administrator of A, System Administrator].

  // Health and meta: no authentication (docs/api.md "Meta and health").
  { route: 'GET /healthz', expect: { any: [200, 200, 200, 200] } },
  { route: 'GET /readyz', expect: { any: [200, 200, 200, 200] } },
  { route: 'GET /api/v1/health', expect: { any: [200, 200, 200, 200] } },
  { route: 'GET /api/v1/version', expect: { any: [200, 200, 200, 200] } },
  { route: 'GET /api/versions', expect: { any: [200, 200, 200, 200] } },
  // Metrics have their own port; on the API port only with SSVIRT_METRICS_TOKEN (issue 12 #19).
  { route: 'GET /metrics', expect: { any: [404, 404, 404, 404] } },
  { route: 'GET /cloudapi/openapi.json', expect: { any: [200, 200, 200, 200] } },
  { route: 'GET /cloudapi/docs', expect: { any: [200, 200, 200, 200] } },

  // Sessions (docs/api.md "Sessions"): login with Basic credentials (anonymous sends none); a session by id
  // is its owner's only, whatever the role.
  { route: 'POST /cloudapi/1.0.0/sessions', call: () => ({ basic: true }), expect: { any: [401, 200, 200, 200] } },
  { route: 'POST /cloudapi/1.0.0/sessions/provider', call: () => ({ basic: true }), expect: { any: [401, 401, 401, 200] } },
  { route: 'GET /cloudapi/1.0.0/sessions/current', expect: { any: [401, 200, 200, 200] } },
  { route: 'DELETE /cloudapi/1.0.0/sessions/current', expect: { any: [401, 204, 204, 204] } },
  // The Terraform SDK's logout: the caller's own session, whatever the role.
  { route: 'DELETE /cloudapi/1.0.0/sessions', expect: { any: [401, 204, 204, 204] } },
  { route: 'DELETE /cloudapi/1.0.0/sessions/provider', expect: { any: [401, 204, 204, 204] } },
  {
    route: 'GET /cloudapi/1.0.0/sessions/:sessionId',
    call: (w, t, p) => ({ path: `${R}/sessions/${urn('session', sessionOf(w, t, p))}` }),
    expect: {
      self:    [401, 200, 200, 200],
      // A: a session of another user of A.
      A:       [401, 403, 403, 403],
      B:       [401, 403, 403, 403],
      missing: [401, 403, 403, 403],
    },
  },
  {
    route: 'DELETE /cloudapi/1.0.0/sessions/:sessionId',
    call: (w, t, p) => ({ path: `${R}/sessions/${urn('session', sessionOf(w, t, p))}` }),
    expect: {
      self:    [401, 204, 204, 204],
      A:       [401, 403, 403, 403],
      B:       [401, 403, 403, 403],
      missing: [401, 403, 403, 403],
    },
  },

  // Users: sysadmin all; Org Admin own org, never granting System Administrator; vApp User self
  // (fullName, email, password). "A" is another vApp User of A.
  {
    route: 'GET /cloudapi/1.0.0/users',
    call: (w, t, p) => ({ path: `${R}/users${filterId('user', userOf(w, t, p))}`, list: true }),
    expect: {
      self: [401, SEEN,   SEEN,   SEEN],
      A:    [401, HIDDEN, SEEN,   SEEN],
      B:    [401, HIDDEN, HIDDEN, SEEN],
    },
  },
  {
    route: 'POST /cloudapi/1.0.0/users',
    call: (w, t) => ({
      body: {
        username: 'newcomer', password: 'new-password-1', orgEntityRef: { id: `urn:vcloud:org:${pick(w.orgs, t === 'Provider, as System Administrator' ? 'Provider' : t)}` },
        roleEntityRefs: [{ name: t === 'Provider, as System Administrator' ? 'System Administrator' : 'vApp User' }],
      },
    }),
    expect: {
      A:                                   [401, 403, 201, 201],
      B:                                   [401, 403, 403, 201],
      'Provider, as System Administrator': [401, 403, 403, 201],
      missing:                             [401, 403, 403, 403],
    },
  },
  { route: 'GET /cloudapi/1.0.0/users/current', expect: { any: [401, 200, 200, 200] } },
  {
    route: 'GET /cloudapi/1.0.0/users/:userId',
    call: (w, t, p) => ({ path: `${R}/users/${urn('user', userOf(w, t, p))}` }),
    expect: {
      self:    [401, 200, 200, 200],
      A:       [401, 403, 200, 200],
      B:       [401, 403, 403, 200],
      missing: [401, 403, 403, 403],
    },
  },
  {
    route: 'PUT /cloudapi/1.0.0/users/:userId',
    call: (w, t, p) => ({ path: `${R}/users/${urn('user', userOf(w, t, p))}`, body: { fullName: 'New Name', email: 'new@example.com' } }),
    expect: {
      self:    [401, 200, 200, 200],
      A:       [401, 403, 200, 200],
      B:       [401, 403, 403, 200],
      missing: [401, 403, 403, 403],
    },
  },
  {
    route: 'PATCH /cloudapi/1.0.0/users/:userId',
    call: (w, t, p) => {
      if (t === 'A, granting System Administrator') return { path: `${R}/users/${urn('user', pick(w.users, 'A'))}`, body: { roleEntityRefs: [{ name: 'System Administrator' }] } };
      if (t === 'self, becoming Organization Administrator') return { path: `${R}/users/${urn('user', w.selfUser[p])}`, body: { roleEntityRefs: [{ name: 'Organization Administrator' }] } };
      return { path: `${R}/users/${urn('user', userOf(w, t, p))}`, body: { fullName: 'New Name' } };
    },
    expect: {
      self:                                        [401, 200, 200, 200],
      A:                                           [401, 403, 200, 200],
      B:                                           [401, 403, 403, 200],
      missing:                                     [401, 403, 403, 403],
      // The sysadmin may grant it, but not outside Provider (400); the Org Admin may not (403).
      'A, granting System Administrator':          [401, 403, 403, '400 only for users of the Provider organization'],
      // A vApp User may not change their own roles; for the Org Admin nothing changes; the
      // only sysadmin may not demote themselves (400).
      'self, becoming Organization Administrator': [401, 403, 200, '400 last enabled System Administrator cannot be'],
    },
  },
  {
    route: 'DELETE /cloudapi/1.0.0/users/:userId',
    call: (w, t, p) => ({ path: `${R}/users/${urn('user', userOf(w, t, p))}` }),
    expect: {
      // Nobody deletes themselves (docs/api.md "Roles"); a vApp User may not delete users at all.
      self:    [401, 403, SELF_DELETE, SELF_DELETE],
      A:       [401, 403, 204,         204],
      B:       [401, 403, 403,         204],
      missing: [401, 403, 403,         403],
    },
  },

  // Roles: everyone reads them.
  { route: 'GET /cloudapi/1.0.0/roles', expect: { any: [401, 200, 200, 200] } },
  {
    route: 'GET /cloudapi/1.0.0/roles/:roleId',
    call: (_w, t) => ({ path: `${R}/roles/${urn('role', t === 'missing' ? MISSING : VAPP_USER_ROLE)}` }),
    expect: { 'vApp User': [401, 200, 200, 200], missing: [401, 403, 403, 403] },
  },

  // Organizations: sysadmin all and writes; tenants read their own.
  {
    route: 'GET /cloudapi/1.0.0/orgs',
    call: (w, t) => ({ path: `${R}/orgs${filterId('org', pick(w.orgs, t))}`, list: true }),
    expect: { A: [401, SEEN, SEEN, SEEN], B: [401, HIDDEN, HIDDEN, SEEN] },
  },
  { route: 'POST /cloudapi/1.0.0/orgs', call: () => ({ body: { name: 'Gamma' } }), expect: { any: [401, 403, 403, 201] } },
  {
    route: 'GET /cloudapi/1.0.0/orgs/:orgId',
    call: (w, t) => ({ path: `${R}/orgs/${urn('org', pick(w.orgs, t))}` }),
    expect: { A: [401, 200, 200, 200], B: [401, 403, 403, 200], missing: [401, 403, 403, 403] },
  },
  {
    route: 'PUT /cloudapi/1.0.0/orgs/:orgId',
    call: (w, t) => ({ path: `${R}/orgs/${urn('org', pick(w.orgs, t))}`, body: { name: t === 'A' ? 'Acme' : 'Beta', description: 'changed' } }),
    expect: { A: [401, 403, 403, 200], B: [401, 403, 403, 200], missing: [401, 403, 403, 403] },
  },
  {
    route: 'PATCH /cloudapi/1.0.0/orgs/:orgId',
    call: (w, t) => ({ path: `${R}/orgs/${urn('org', pick(w.orgs, t))}`, body: { description: 'changed' } }),
    expect: { A: [401, 403, 403, 200], B: [401, 403, 403, 200], missing: [401, 403, 403, 403] },
  },
  {
    route: 'DELETE /cloudapi/1.0.0/orgs/:orgId',
    call: (w, t) => ({ path: `${R}/orgs/${urn('org', pick(w.orgs, t))}?force=true` }),
    expect: { A: [401, 403, 403, 204], B: [401, 403, 403, 204], missing: [401, 403, 403, 403] },
  },

  // VDCs, tenant view: own org's; sysadmin all.
  {
    route: 'GET /cloudapi/1.0.0/vdcs',
    call: (w, t) => ({ path: `${R}/vdcs${filterId('vdc', pick(w.vdcs, t))}`, list: true }),
    expect: { A: [401, SEEN, SEEN, SEEN], B: [401, HIDDEN, HIDDEN, SEEN] },
  },
  {
    route: 'GET /cloudapi/1.0.0/vdcs/:vdcId',
    call: (w, t) => ({ path: `${R}/vdcs/${urn('vdc', pick(w.vdcs, t))}` }),
    expect: { A: [401, 200, 200, 200], B: [401, 403, 403, 200], missing: [401, 403, 403, 403] },
  },
  {
    // A vApp User instantiates in their own org's VDCs; allowed → 503 (no cluster here).
    route: 'POST /cloudapi/1.0.0/vdcs/:vdcId/actions/instantiateTemplate',
    call: (w, t) => ({ path: `${R}/vdcs/${urn('vdc', pick(w.vdcs, t))}/actions/instantiateTemplate`, body: { name: 'new-vapp', catalogItem: { name: 'fedora-small' } } }),
    expect: { A: [401, 503, 503, 503], B: [401, 403, 403, 503], missing: [401, 403, 403, 403] },
  },
  {
    // The VDC's vApps that the caller may see: the target vApp is looked up in its VDC.
    route: 'GET /cloudapi/1.0.0/vdcs/:vdcId/vapps',
    call: (w, t) => ({ path: `${R}/vdcs/${urn('vdc', pick(w.vdcs, t === "A, Org Admin's" ? 'A' : t))}/vapps${filterId('vapp', pick(w.vapps, t))}`, list: true }),
    expect: {
      A:                [401, SEEN,   SEEN, SEEN],
      "A, Org Admin's": [401, HIDDEN, SEEN, SEEN],
      B:                [401, 403,    403,  SEEN],
      missing:          [401, 403,    403,  403],
    },
  },

  // VDC administration: System Administrators only; a VDC under another org's path is invisible.
  {
    route: 'GET /api/admin/org/:orgId/vdcs',
    call: (w, t) => ({ path: `/api/admin/org/${urn('org', pick(w.orgs, t))}/vdcs${filterId('vdc', pick(w.vdcs, t))}`, list: true }),
    expect: { A: [401, 403, 403, SEEN], B: [401, 403, 403, SEEN], missing: [401, 403, 403, 403] },
  },
  {
    route: 'POST /api/admin/org/:orgId/vdcs',
    call: (w, t) => ({ path: `/api/admin/org/${urn('org', pick(w.orgs, t))}/vdcs`, body: { name: 'new-vdc' } }),
    expect: { A: [401, 403, 403, 201], B: [401, 403, 403, 201], missing: [401, 403, 403, 403] },
  },
  ...(['GET', 'PUT', 'PATCH', 'DELETE'] as const).map((method): RouteCase => ({
    route: `${method} /api/admin/org/:orgId/vdcs/:vdcId`,
    call: (w, t) => {
      // 'missing': a VDC that does not exist under an org that does.
      const [org, vdc] = t === "B's VDC under A" ? ['A', 'B'] : t === 'missing' ? ['A', t] : [t, t];
      const path = `/api/admin/org/${urn('org', pick(w.orgs, org))}/vdcs/${urn('vdc', pick(w.vdcs, vdc))}`;
      if (method === 'PUT') return { path, body: { name: vdc === 'A' ? 'dev' : 'prod' } };
      if (method === 'PATCH') return { path, body: { description: 'changed' } };
      return { path: method === 'DELETE' ? `${path}?force=true` : path };
    },
    expect: {
      A:                 [401, 403, 403, method === 'DELETE' ? 204 : 200],
      B:                 [401, 403, 403, method === 'DELETE' ? 204 : 200],
      "B's VDC under A": [401, 403, 403, 403],
      missing:           [401, 403, 403, 403],
    },
  })),

  // Catalogs: own org's and published ones readable; Org Admin writes own org's; sysadmin all.
  {
    route: 'GET /cloudapi/1.0.0/catalogs',
    call: (w, t) => ({ path: `${R}/catalogs${filterId('catalog', pick(w.catalogs, t))}`, list: true }),
    expect: {
      A:              [401, SEEN,   SEEN,   SEEN],
      B:              [401, HIDDEN, HIDDEN, SEEN],
      'B, published': [401, SEEN,   SEEN,   SEEN],
    },
  },
  {
    route: 'POST /cloudapi/1.0.0/catalogs',
    call: (w, t) => ({ body: { name: 'new-catalog', orgId: `urn:vcloud:org:${pick(w.orgs, t)}` } }),
    expect: { A: [401, 403, 201, 201], B: [401, 403, 403, 201], missing: [401, 403, 403, 403] },
  },
  {
    route: 'GET /cloudapi/1.0.0/catalogs/:catalogId',
    call: (w, t) => ({ path: `${R}/catalogs/${urn('catalog', pick(w.catalogs, t))}` }),
    expect: {
      A:              [401, 200, 200, 200],
      B:              [401, 403, 403, 200],
      'B, published': [401, 200, 200, 200],
      missing:        [401, 403, 403, 403],
    },
  },
  {
    route: 'PUT /cloudapi/1.0.0/catalogs/:catalogId',
    call: (w, t) => ({ path: `${R}/catalogs/${urn('catalog', pick(w.catalogs, t))}`, body: { name: `renamed-${t.replace(/\W/g, '')}`, description: 'changed' } }),
    expect: {
      A:              [401, 403, 200, 200],
      B:              [401, 403, 403, 200],
      'B, published': [401, 403, 403, 200],
      missing:        [401, 403, 403, 403],
    },
  },
  {
    route: 'DELETE /cloudapi/1.0.0/catalogs/:catalogId',
    call: (w, t) => ({ path: `${R}/catalogs/${urn('catalog', pick(w.catalogs, t))}` }),
    expect: {
      A:              [401, 403, 204, 204],
      B:              [401, 403, 403, 204],
      'B, published': [401, 403, 403, 204],
      missing:        [401, 403, 403, 403],
    },
  },

  // Catalog items: those of visible catalogs; deprecated templates for the sysadmin only (the
  // `hidden` tag hides nothing).
  {
    route: 'GET /cloudapi/1.0.0/catalogs/:catalogId/catalogItems',
    world: 'templates',
    call: (w, t) => {
      const { catalog, item } = itemOf(w, t);
      return { path: `${R}/catalogs/${urn('catalog', catalog)}/catalogItems${filterId('catalogitem', item)}`, list: true };
    },
    expect: {
      A:                    [401, SEEN,   SEEN,   SEEN],
      B:                    [401, 403,    403,    SEEN],
      'B, published':       [401, SEEN,   SEEN,   SEEN],
      'A, deprecated template': [401, HIDDEN, HIDDEN, SEEN],
      'A, hidden-tagged template': [401, SEEN, SEEN, SEEN],
      missing:              [401, 403,    403,    403],
    },
  },
  {
    route: 'GET /cloudapi/1.0.0/catalogs/:catalogId/catalogItems/:itemId',
    world: 'templates',
    call: (w, t) => {
      const { catalog, item } = itemOf(w, t);
      return { path: `${R}/catalogs/${urn('catalog', catalog)}/catalogItems/${urn('catalogitem', item)}` };
    },
    expect: {
      A:                    [401, 200, 200, 200],
      B:                    [401, 403, 403, 200],
      'B, published':       [401, 200, 200, 200],
      'A, deprecated template': [401, 403, 403, 200],
      'A, hidden-tagged template': [401, 200, 200, 200],
      'A, missing item':    [401, 403, 403, 403],
      missing:              [401, 403, 403, 403],
    },
  },

  // vApps and VMs: sysadmin all, Org Admin own org's, vApp User their own ("A" is theirs).
  // Delete and power are allowed → 503 (no cluster here).
  {
    route: 'GET /cloudapi/1.0.0/vapps',
    call: (w, t) => ({ path: `${R}/vapps${filterId('vapp', pick(w.vapps, t))}`, list: true }),
    expect: {
      A:                [401, SEEN,   SEEN,   SEEN],
      "A, Org Admin's": [401, HIDDEN, SEEN,   SEEN],
      B:                [401, HIDDEN, HIDDEN, SEEN],
    },
  },
  {
    route: 'GET /cloudapi/1.0.0/vapps/:vappId',
    call: (w, t) => ({ path: `${R}/vapps/${urn('vapp', pick(w.vapps, t))}` }),
    expect: {
      A:                [401, 200, 200, 200],
      "A, Org Admin's": [401, 403, 200, 200],
      B:                [401, 403, 403, 200],
      missing:          [401, 403, 403, 403],
    },
  },
  {
    route: 'DELETE /cloudapi/1.0.0/vapps/:vappId',
    call: (w, t) => ({ path: `${R}/vapps/${urn('vapp', pick(w.vapps, t))}` }),
    expect: {
      A:                [401, 503, 503, 503],
      "A, Org Admin's": [401, 403, 503, 503],
      B:                [401, 403, 403, 503],
      missing:          [401, 403, 403, 403],
    },
  },
  {
    route: 'POST /cloudapi/1.0.0/vapps/:vappId/actions/:action',
    call: (w, t) => ({ path: `${R}/vapps/${urn('vapp', pick(w.vapps, t))}/actions/powerOn` }),
    expect: {
      A:                [401, 503, 503, 503],
      "A, Org Admin's": [401, 403, 503, 503],
      B:                [401, 403, 403, 503],
      missing:          [401, 403, 403, 403],
    },
  },
  {
    route: 'GET /cloudapi/1.0.0/vapps/:vappId/vms',
    call: (w, t) => ({ path: `${R}/vapps/${urn('vapp', pick(w.vapps, t))}/vms${filterId('vm', pick(w.vms, t))}`, list: true }),
    expect: {
      A:                [401, SEEN, SEEN, SEEN],
      "A, Org Admin's": [401, 403,  SEEN, SEEN],
      B:                [401, 403,  403,  SEEN],
      missing:          [401, 403,  403,  403],
    },
  },
  {
    route: 'GET /cloudapi/1.0.0/vms',
    call: (w, t) => ({ path: `${R}/vms${filterId('vm', pick(w.vms, t))}`, list: true }),
    expect: {
      A:                [401, SEEN,   SEEN,   SEEN],
      "A, Org Admin's": [401, HIDDEN, SEEN,   SEEN],
      B:                [401, HIDDEN, HIDDEN, SEEN],
    },
  },
  {
    route: 'GET /cloudapi/1.0.0/vms/:vmId',
    call: (w, t) => ({ path: `${R}/vms/${urn('vm', pick(w.vms, t))}` }),
    expect: {
      A:                [401, 200, 200, 200],
      "A, Org Admin's": [401, 403, 200, 200],
      B:                [401, 403, 403, 200],
      missing:          [401, 403, 403, 403],
    },
  },
  {
    route: 'POST /cloudapi/1.0.0/vms/:vmId/actions/:action',
    call: (w, t) => ({ path: `${R}/vms/${urn('vm', pick(w.vms, t))}/actions/powerOn` }),
    expect: {
      A:                [401, 503, 503, 503],
      "A, Org Admin's": [401, 403, 503, 503],
      B:                [401, 403, 403, 503],
      missing:          [401, 403, 403, 403],
    },
  },

  // Tasks (docs/api.md "Roles"): as the vApps they are about; "A" was started by the vApp User
  // on their vApp, "A, Org Admin's" by the Org Admin on theirs.
  {
    route: 'GET /cloudapi/1.0.0/tasks',
    call: (w, t) => ({ path: `${R}/tasks${filterId('task', pick(w.tasks, t))}`, list: true }),
    expect: {
      A:                [401, SEEN,   SEEN,   SEEN],
      "A, Org Admin's": [401, HIDDEN, SEEN,   SEEN],
      B:                [401, HIDDEN, HIDDEN, SEEN],
    },
  },
  {
    route: 'GET /cloudapi/1.0.0/tasks/:taskId',
    call: (w, t) => ({ path: `${R}/tasks/${urn('task', pick(w.tasks, t))}` }),
    expect: {
      A:                [401, 200, 200, 200],
      "A, Org Admin's": [401, 403, 200, 200],
      B:                [401, 403, 403, 200],
      missing:          [401, 403, 403, 403],
    },
  },
  {
    route: 'GET /api/task/:taskId',
    call: (w, t) => ({ path: `/api/task/${pick(w.tasks, t)}` }),
    expect: {
      A:                [401, 200, 200, 200],
      "A, Org Admin's": [401, 403, 200, 200],
      B:                [401, 403, 403, 200],
      missing:          [401, 403, 403, 403],
    },
  },
];

// ---------------------------------------------------------------------------------------------
// The runner

/** The error code each refusal must carry (docs/api.md "Errors"). */
const CODE: Record<number, string> = { 401: 'UNAUTHORIZED', 403: 'ACCESS_TO_RESOURCE_IS_FORBIDDEN', 503: 'CLUSTER_UNAVAILABLE' };

/** Sends one row's call inside a rolled-back transaction; answers the cell it observed. */
async function observe(w: World, rc: RouteCase, target: string, p: Persona, expected: Cell): Promise<Cell | string> {
  const [method, routePath] = rc.route.split(' ') as [string, string];
  const call = rc.call?.(w, target, p) ?? {};
  const path = call.path ?? routePath;
  if (path.includes('/:')) throw new Error(`${rc.route}: the table gives no path for its parameters`);
  const headers: Record<string, string> = {};
  if (call.basic && p !== 'anon') headers.authorization = `Basic ${Buffer.from(CREDENTIALS[p]).toString('base64')}`;
  const token = call.basic || p === 'anon' ? undefined : w.tokens[p];
  const sqlite = w.t.db.$client;
  sqlite.exec('BEGIN');
  try {
    const res = await w.t.request(method, path, { token, body: call.body, headers });
    if (res.status >= 400) {
      const err = (await res.json()) as { minorErrorCode?: string; message?: string };
      if (res.status === 400) {
        const fragment = typeof expected === 'string' && expected.startsWith('400 ') ? expected.slice(4) : undefined;
        return fragment && err.message?.includes(fragment) ? expected : `400 ${err.minorErrorCode}: ${err.message}`;
      }
      const want = CODE[res.status];
      // The message makes an unexpected refusal readable in the diff.
      if (want && err.minorErrorCode !== want) return `${res.status} ${err.minorErrorCode}: ${err.message}`;
      return res.status;
    }
    if (call.list && res.status === 200) {
      const { values } = (await res.json()) as { values: unknown[] };
      return values.length === 1 ? SEEN : values.length === 0 ? HIDDEN : `200 with ${values.length} values`;
    }
    return res.status;
  } finally {
    sqlite.exec('ROLLBACK');
  }
}

/** Labels the columns in failure diffs. */
const byPersona = (cells: (Cell | string)[]) => Object.fromEntries(PERSONAS.map((p, i) => [p, cells[i]]));

describe('lib/authz role table applied by every route (docs/api.md "Roles")', () => {
  const worlds: Partial<Record<'plain' | 'templates', World>> = {};

  beforeAll(async () => {
    worlds.plain = await buildWorld(await makeTestApp());
    const templates = new FakeTemplateSource([fakeTemplate('fedora-small'), fakeTemplate('legacy-deprecated', { deprecated: true }), fakeTemplate('tagged-hidden', { hidden: true })]);
    worlds.templates = await buildWorld(await makeTestApp({ k8s: fakeCluster(templates) }));
  });

  it('has a row for every route in functions/ and none for a route that does not exist', () => {
    const scanned = scanRoutes().map((r) => `${r.method} ${r.path}`).sort();
    expect(ROUTES.map((r) => r.route).sort()).toEqual(scanned);
  });

  for (const rc of ROUTES) {
    describe(rc.route, () => {
      for (const [target, cells] of Object.entries(rc.expect)) {
        const label = target === 'any' ? '' : ` on ${target}`;
        it(`answers ${cells.join(' / ')} (anonymous / vApp User / Org Admin / System Administrator)${label}`, async () => {
          const w = worlds[rc.world ?? 'plain']!;
          const got: (Cell | string)[] = [];
          for (const [i, p] of PERSONAS.entries()) got.push(await observe(w, rc, target, p, cells[i]!));
          expect(byPersona(got)).toEqual(byPersona(cells));
        });
      }
    });
  }
});

describe('scopeKey', () => {
  it('tells apart every way a scope narrows a list, and only those', () => {
    const scopes: ListScope[] = [{}, { orgId: 'a' }, { orgId: 'b' }, { orgId: 'a', ownerId: 'u' }, { orgId: 'a', ownerId: 'v' }, { selfId: 'u' }, { orgId: 'a', orPublished: true }];
    expect(new Set(scopes.map(scopeKey)).size).toBe(scopes.length);
    expect(scopeKey({ orgId: 'a', orPublished: false })).toBe(scopeKey({ orgId: 'a' }));
  });
});
