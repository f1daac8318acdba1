import { describe, it, expect, beforeEach, beforeAll, afterAll, vi } from 'vitest';
import { randomUUID } from 'node:crypto';
import { CoreV1Api } from '@kubernetes/client-node';
import { makeTestApp, json, type TestApp } from '#test/support/app.ts';
import { seedCatalog, seedOrg, seedTask, seedUser, seedVapp, seedVdc, seedVm, USER_PASSWORD } from '#test/support/fixtures.ts';
import { vdcWorld, type VdcWorld } from '#test/support/vdc-world.ts';
import { startTestCluster, type TestCluster } from '#test/support/cluster.ts';
import { findOrg, providerOrg } from '#db/queries/orgs.ts';
import { findVdc } from '#db/queries/vdcs.ts';
import type { Db } from '#db/client.ts';
import { until } from '#test/support/wait.ts';

const path = (id: string) => `/cloudapi/1.0.0/orgs/${encodeURIComponent(`urn:vcloud:org:${id}`)}`;
const ME = '/cloudapi/1.0.0/sessions/current';
const TABLES = ['users', 'vdcs', 'catalogs', 'vapps', 'vms', 'tasks'] as const;

/** How the tests below poll (`until`): every 25 ms for up to 5 s. */
const POLL = { intervalMs: 25 };

/** Rows per table that belong to the org, plus its users' roles and sessions. */
type Counted = (typeof TABLES)[number] | 'user_roles' | 'sessions' | 'orgs';
function rowsOf(db: Db, orgId: string): Record<Counted, number> {
  const n = (sql: string) => (db.$client.prepare(sql).get(orgId) as { n: number }).n;
  const out = {} as Record<Counted, number>;
  for (const table of TABLES) out[table] = n(`SELECT count(*) AS n FROM ${table} WHERE org_id = ?`);
  out.user_roles = n('SELECT count(*) AS n FROM user_roles r JOIN users u ON u.id = r.user_id WHERE u.org_id = ?');
  out.sessions = n('SELECT count(*) AS n FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.org_id = ?');
  out.orgs = n('SELECT count(*) AS n FROM orgs WHERE id = ?');
  return out;
}

/** Fills an org with one of everything (a VDC with a vApp and two VMs, a catalog, a task); the users come from vdcWorld. */
async function fill(db: Db, orgId: string, namespace: string) {
  const owner = await seedUser(db, orgId, `owner-${namespace}`, 'vApp User');
  const vdc = seedVdc(db, orgId, 'dev', { namespace, status: 'PENDING_CLUSTER' });
  const vapp = seedVapp(db, vdc, owner.id, 'web');
  seedVm(db, vapp, vdc.namespace, 'vm-1', { status: 'POWERED_ON' });
  seedVm(db, vapp, vdc.namespace, 'vm-2');
  seedCatalog(db, orgId, 'golden');
  seedTask(db, { orgId, userId: owner.id, ownerId: vapp.id });
}

describe('DELETE /cloudapi/1.0.0/orgs/:orgId', () => {
  let t: TestApp;
  let w: VdcWorld;
  beforeEach(async () => {
    t = await makeTestApp();
    w = await vdcWorld(t);
  });

  it('deletes an empty org with 204 and no body; it is then invisible and its name is free', async () => {
    const empty = seedOrg(t.db, 'Empty');
    const res = await t.request('DELETE', path(empty.id), { token: w.tokens.sys });
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
    expect(findOrg(t.db, empty.id)).toBeUndefined();
    expect((await t.request('GET', path(empty.id), { token: w.tokens.sys })).status).toBe(403);
    const again = await t.request('POST', '/cloudapi/1.0.0/orgs', { token: w.tokens.sys, body: { name: 'EMPTY' } });
    expect(again.status).toBe(201);
    expect((await json(again)).id).not.toBe(`urn:vcloud:org:${empty.id}`);
  });

  it.each([
    ['users', async () => { /* vdcWorld gave Acme two users */ }, '0 VDC(s), 0 catalog(s) and 2 user(s)'],
    ['a VDC', async (org: string) => { seedVdc(t.db, org, 'dev'); }, '1 VDC(s), 0 catalog(s) and 0 user(s)'],
    ['a catalog', async (org: string) => { seedCatalog(t.db, org, 'c'); }, '0 VDC(s), 1 catalog(s) and 0 user(s)'],
  ])('answers 400 BUSY_ENTITY while the org has %s, with or without ?force=false, and deletes nothing', async (what, add, counts) => {
    const org = what === 'users' ? w.acme : seedOrg(t.db, 'Holder');
    await add(org.id);
    const before = rowsOf(t.db, org.id);
    for (const q of ['', '?force=false']) {
      const res = await t.request('DELETE', `${path(org.id)}${q}`, { token: w.tokens.sys });
      expect(res.status).toBe(400);
      const body = await json(res);
      expect(body.minorErrorCode).toBe('BUSY_ENTITY');
      expect(body.message).toContain(counts);
      expect(body.message).toContain('force=true');
    }
    expect(rowsOf(t.db, org.id)).toEqual(before);
  });

  it('with ?force=true deletes the org with everything in it, ends its sessions, and leaves other orgs alone', async () => {
    await fill(t.db, w.acme.id, 'vdc-acme-dev');
    await fill(t.db, w.beta.id, 'vdc-beta-dev');
    const carol = await seedUser(t.db, w.acme.id, 'carol', 'Organization Administrator');
    const carolTok = await t.login('carol', USER_PASSWORD);
    const beta = rowsOf(t.db, w.beta.id);
    expect(rowsOf(t.db, w.acme.id)).toEqual({ users: 4, vdcs: 1, catalogs: 1, vapps: 1, vms: 2, tasks: 1, user_roles: 4, sessions: 3, orgs: 1 });

    const res = await t.request('DELETE', `${path(w.acme.id)}?force=true`, { token: w.tokens.sys });
    expect(res.status).toBe(204);
    expect(rowsOf(t.db, w.acme.id)).toEqual({ users: 0, vdcs: 0, catalogs: 0, vapps: 0, vms: 0, tasks: 0, user_roles: 0, sessions: 0, orgs: 0 });
    expect((t.db.$client.prepare('SELECT count(*) AS n FROM user_roles WHERE user_id = ?').get(carol.id) as { n: number }).n).toBe(0);
    for (const tok of [carolTok, w.tokens.orgAdmin, w.tokens.user]) expect((await t.request('GET', ME, { token: tok })).status).toBe(401);
    expect(rowsOf(t.db, w.beta.id)).toEqual(beta);
    expect((await t.request('GET', ME, { token: w.tokens.betaUser })).status).toBe(200);
    // Names are free again: the org's, and its users'.
    expect((await t.request('POST', '/cloudapi/1.0.0/orgs', { token: w.tokens.sys, body: { name: 'Acme' } })).status).toBe(201);
    expect((await t.request('POST', '/cloudapi/1.0.0/users', { token: w.tokens.sys, body: { username: 'carol', password: 'another-password' } })).status).toBe(201);
  });

  it('rolls everything back when a step of the cascade fails (nothing half-deleted)', async () => {
    await fill(t.db, w.acme.id, 'vdc-acme-dev');
    const before = rowsOf(t.db, w.acme.id);
    t.db.$client.exec(`CREATE TRIGGER fail_org_delete BEFORE DELETE ON orgs BEGIN SELECT RAISE(ABORT, 'injected'); END`);
    const res = await t.request('DELETE', `${path(w.acme.id)}?force=true`, { token: w.tokens.sys, allow500: true });
    expect(res.status).toBe(500);
    const body = await json(res);
    expect(body).toMatchObject({ minorErrorCode: 'INTERNAL_SERVER_ERROR', stackTrace: null });
    expect(JSON.stringify(body)).not.toContain('injected');
    expect(rowsOf(t.db, w.acme.id)).toEqual(before);
    expect((await t.request('GET', ME, { token: w.tokens.user })).status).toBe(200);
  });

  it.each(['', '?force=true'])('answers 400 for the Provider org (%s) and deletes nothing', async (q) => {
    const provider = providerOrg(t.db)!;
    const res = await t.request('DELETE', `${path(provider.id)}${q}`, { token: w.tokens.sys });
    expect(res.status).toBe(400);
    const body = await json(res);
    expect(body.minorErrorCode).toBe('BAD_REQUEST');
    expect(body.message).toContain('Provider');
    expect(findOrg(t.db, provider.id)).toBeDefined();
    expect((await t.request('GET', ME, { token: w.tokens.sys })).status).toBe(200);
  });

  it.each(['orgAdmin', 'user'] as const)('answers 403 to a %s, on their own org or another, and deletes nothing', async (who) => {
    const own = await t.request('DELETE', `${path(w.acme.id)}?force=true`, { token: w.tokens[who] });
    expect(own.status).toBe(403);
    expect((await json(own)).message).toContain('delete');
    const empty = seedOrg(t.db, 'Empty');
    const foreign = await t.request('DELETE', path(empty.id), { token: w.tokens[who] });
    expect(foreign.status).toBe(403);
    expect((await json(foreign)).message).toBe(`Organization urn:vcloud:org:${empty.id} does not exist or you do not have access`);
    expect(findOrg(t.db, w.acme.id)).toBeDefined();
    expect(findOrg(t.db, empty.id)).toBeDefined();
  });

  it('answers 403 for a missing org, 400 for a malformed URN or force value, 401 without a session', async () => {
    expect((await t.request('DELETE', path(randomUUID()), { token: w.tokens.sys })).status).toBe(403);
    const bad = await t.request('DELETE', '/cloudapi/1.0.0/orgs/urn:vcloud:user:00000000-0000-4000-8000-000000000000', { token: w.tokens.sys });
    expect(bad.status).toBe(400);
    expect((await json(bad)).message).toContain('orgId');
    const empty = seedOrg(t.db, 'Empty');
    const force = await t.request('DELETE', `${path(empty.id)}?force=yes`, { token: w.tokens.sys });
    expect(force.status).toBe(400);
    expect((await json(force)).message).toContain('force');
    expect((await t.request('DELETE', path(empty.id))).status).toBe(401);
    expect(findOrg(t.db, empty.id)).toBeDefined();
  });
});

describe('DELETE /cloudapi/1.0.0/orgs/:orgId on a cluster', () => {
  let cluster: TestCluster;
  let core: CoreV1Api;
  beforeAll(async () => {
    cluster = await startTestCluster();
    core = cluster.sim.kubeConfig().makeApiClient(CoreV1Api);
  });
  afterAll(() => cluster?.stop());

  /** The namespace, or undefined once it is gone. */
  const readNs = async (name: string) => {
    try { return await core.readNamespace({ name }); } catch (e) { if ((e as { code?: number }).code === 404) return undefined; throw e; }
  };

  async function orgWithVdcs(t: TestApp, admin: string, name: string, vdcNames: string[]) {
    const org = seedOrg(t.db, name);
    await seedUser(t.db, org.id, `${name.toLowerCase()}-user`, 'vApp User');
    const vdcs: { id: string; uuid: string; name: string; namespace: string }[] = [];
    for (const v of vdcNames) {
      const res = await t.request('POST', `/api/admin/org/urn:vcloud:org:${org.id}/vdcs`, { token: admin, body: { name: v } });
      expect(res.status).toBe(201);
      const vdc = await json(res);
      expect(vdc.status).toBe('READY');
      vdcs.push({ ...vdc, uuid: vdc.id.split(':').pop() });
    }
    return { org, vdcs };
  }

  it('with ?force=true deletes the namespaces of its VDCs first, then the rows; other orgs keep theirs', async () => {
    const t = await cluster.app();
    const admin = await t.adminToken();
    const { org, vdcs } = await orgWithVdcs(t, admin, 'Doomed', ['dev', 'prod']);
    const pending = seedVdc(t.db, org.id, 'later', { status: 'PENDING_CLUSTER', namespace: 'vdc-doomed-later' });
    const kept = (await orgWithVdcs(t, admin, 'Keeper', ['dev'])).vdcs[0]!;
    expect(vdcs.map((v) => v.namespace)).toEqual(['vdc-doomed-dev', 'vdc-doomed-prod']);

    // Kubernetes first: each namespace deletion is asked for while the org and its rows still exist.
    const seen: { ns: string; orgRow: boolean; vdcRows: number }[] = [];
    const real = t.runtime.deleteVdcNamespace.bind(t.runtime);
    vi.spyOn(t.runtime, 'deleteVdcNamespace').mockImplementation(async (ns, id) => {
      // The first call per namespace is the org delete's (the reconciler may repeat it for a DELETING VDC).
      if (!seen.some((s) => s.ns === ns)) seen.push({ ns, orgRow: findOrg(t.db, org.id) !== undefined, vdcRows: rowsOf(t.db, org.id).vdcs });
      return real(ns, id);
    });

    const res = await t.request('DELETE', `${path(org.id)}?force=true`, { token: admin });
    expect(res.status).toBe(204);
    // The PENDING_CLUSTER VDC never had a namespace: nothing to ask the cluster.
    expect(seen.sort((a, b) => a.ns.localeCompare(b.ns))).toEqual([
      { ns: 'vdc-doomed-dev', orgRow: true, vdcRows: 3 },
      { ns: 'vdc-doomed-prod', orgRow: true, vdcRows: 3 },
    ]);
    expect(rowsOf(t.db, org.id)).toMatchObject({ orgs: 0, vdcs: 0, users: 0 });
    expect(findVdc(t.db, pending.id)).toBeUndefined();
    for (const v of vdcs) {
      const ns = await readNs(v.namespace);
      // Asked to go: terminating now, gone once the namespace controller finalises it.
      if (ns) expect(ns.metadata?.deletionTimestamp).toBeDefined();
      await until('the namespace to go', async () => (await readNs(v.namespace)) === undefined, POLL);
    }
    const other = await readNs(kept.namespace);
    expect(other?.metadata?.deletionTimestamp).toBeUndefined();
    expect(findVdc(t.db, kept.uuid)?.status).toBe('READY');
  });

  it('keeps the reconciler from recreating a namespace that went while the next one is asked', async () => {
    const t = await cluster.app();
    const admin = await t.adminToken();
    const { org } = await orgWithVdcs(t, admin, 'Race', ['dev', 'prod']);
    // Before the second namespace is asked for, the first is gone and a reconciler pass runs:
    // the point where a row still READY would look like a namespace deleted out of band.
    const real = t.runtime.deleteVdcNamespace.bind(t.runtime);
    let first: string | undefined;
    let raced = false;
    vi.spyOn(t.runtime, 'deleteVdcNamespace').mockImplementation(async (ns, id) => {
      first ??= ns;
      if (ns !== first && !raced) {
        raced = true;
        await until('the first namespace to go, also from the cache', async () => (await readNs(first!)) === undefined && !t.runtime.namespaceCached(first!), POLL);
        await t.runtime.reconciler!.trigger();
      }
      return real(ns, id);
    });
    expect((await t.request('DELETE', `${path(org.id)}?force=true`, { token: admin })).status).toBe(204);
    expect(raced).toBe(true);
    for (const ns of ['vdc-race-dev', 'vdc-race-prod']) await until('the namespace to go, also from the cache', async () => (await readNs(ns)) === undefined && !t.runtime.namespaceCached(ns), POLL);
    await t.runtime.reconciler!.trigger();
    // Nothing came back, so nothing is left unclaimed.
    expect(await readNs(first!)).toBeUndefined();
    expect(t.runtime.reconciler!.unclaimed.filter((n) => n.startsWith('vdc-race-'))).toEqual([]);
  });

  it('answers 400 BUSY_ENTITY without force and leaves the namespaces alone', async () => {
    const t = await cluster.app();
    const admin = await t.adminToken();
    const { org, vdcs } = await orgWithVdcs(t, admin, 'Busy', ['dev']);
    const vdc = vdcs[0]!;
    const res = await t.request('DELETE', path(org.id), { token: admin });
    expect(res.status).toBe(400);
    expect((await json(res)).minorErrorCode).toBe('BUSY_ENTITY');
    expect((await readNs(vdc.namespace))?.metadata?.deletionTimestamp).toBeUndefined();
  });

  it.each([
    ['a 500 on the namespace delete', { verb: 'delete', resource: 'namespaces', status: 500 as const }],
    ['a 503 on the namespace delete', { verb: 'delete', resource: 'namespaces', status: 503 as const }],
    ['an outage', { outage: true }],
  ])('answers 503 CLUSTER_UNAVAILABLE after %s and deletes nothing', async (_label, fault) => {
    const t = await cluster.app();
    const admin = await t.adminToken();
    const name = `Fault${Math.random().toString(36).slice(2, 8)}`;
    const { org, vdcs } = await orgWithVdcs(t, admin, name, ['dev', 'prod']);
    const userTok = await t.login(`${name.toLowerCase()}-user`, USER_PASSWORD);
    const before = rowsOf(t.db, org.id);
    const id = cluster.sim.faults.inject(fault);
    try {
      const res = await t.request('DELETE', `${path(org.id)}?force=true`, { token: admin });
      expect(res.status).toBe(503);
      const body = await json(res);
      expect(body).toMatchObject({ minorErrorCode: 'CLUSTER_UNAVAILABLE', code: 503, stackTrace: null });
      expect(body.message).toContain(`Organization '${name}' was not deleted`);
    } finally {
      cluster.sim.faults.clear(id);
    }
    expect(rowsOf(t.db, org.id)).toEqual(before);
    for (const v of vdcs) {
      expect(findVdc(t.db, v.uuid)?.status).toBe('READY');
      expect((await readNs(v.namespace))?.metadata?.deletionTimestamp).toBeUndefined();
    }
    expect((await t.request('GET', ME, { token: userTok })).status).toBe(200);
    // Once the cluster answers again, the same request succeeds.
    await until('the cluster to be reachable again', () => t.runtime.reachable(), POLL);
    expect((await t.request('DELETE', `${path(org.id)}?force=true`, { token: admin })).status).toBe(204);
    for (const v of vdcs) await until('the namespace to go', async () => (await readNs(v.namespace)) === undefined, POLL);
  });

  it('keeps the org when a later namespace fails, and lets the VDCs whose namespaces already went finish deleting', async () => {
    const t = await cluster.app();
    const admin = await t.adminToken();
    const { org, vdcs } = await orgWithVdcs(t, admin, 'Halfway', ['dev', 'prod']);
    // The second namespace deletion meets a 500.
    const real = t.runtime.deleteVdcNamespace.bind(t.runtime);
    const order: string[] = [];
    vi.spyOn(t.runtime, 'deleteVdcNamespace').mockImplementation(async (ns, id) => {
      order.push(ns);
      if (order.length === 2) cluster.sim.faults.inject({ verb: 'delete', resource: 'namespaces', status: 500, times: 1 });
      return real(ns, id);
    });
    const res = await t.request('DELETE', `${path(org.id)}?force=true`, { token: admin });
    expect(res.status).toBe(503);
    expect((await json(res)).message).toContain('1 other VDC(s) were already being deleted');
    expect(findOrg(t.db, org.id)).toBeDefined();
    const [first, second] = order.map((ns) => vdcs.find((v) => v.namespace === ns)!);
    expect(findVdc(t.db, second!.uuid)?.status).toBe('READY');
    expect((await readNs(second!.namespace))?.metadata?.deletionTimestamp).toBeUndefined();
    // The first namespace is going: its VDC is DELETING (not recreated empty) and goes once it is gone.
    expect(findVdc(t.db, first!.uuid)?.status).toBe('DELETING');
    await until('the first namespace to go', async () => (await readNs(first!.namespace)) === undefined, POLL);
    await until('the row of the first VDC to go', async () => { await t.runtime.reconciler!.trigger(); return findVdc(t.db, first!.uuid) === undefined; }, POLL);
    expect(await readNs(first!.namespace)).toBeUndefined();
    expect(rowsOf(t.db, org.id)).toMatchObject({ orgs: 1, vdcs: 1 });
  });
});
