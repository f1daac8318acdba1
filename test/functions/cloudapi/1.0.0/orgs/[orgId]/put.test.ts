import { describe, it, expect, beforeEach, beforeAll, afterAll } from 'vitest';
import { randomUUID } from 'node:crypto';
import { CoreV1Api } from '@kubernetes/client-node';
import { makeTestApp, json, type TestApp } from '#test/support/app.ts';
import { seedOrg, seedUser, USER_PASSWORD } from '#test/support/fixtures.ts';
import { vdcWorld, type VdcWorld } from '#test/support/vdc-world.ts';
import { startTestCluster, type TestCluster } from '#test/support/cluster.ts';
import { findOrg, providerOrg } from '#db/queries/orgs.ts';
import { itKeepsTheEtagContract } from '#test/support/etag-contract.ts';

const path = (id: string) => `/cloudapi/1.0.0/orgs/${encodeURIComponent(`urn:vcloud:org:${id}`)}`;
const ME = '/cloudapi/1.0.0/sessions/current';

describe('PUT /cloudapi/1.0.0/orgs/:orgId', () => {
  let t: TestApp;
  let w: VdcWorld;
  let now: number;
  beforeEach(async () => {
    now = Date.now();
    t = await makeTestApp({ now: () => now });
    w = await vdcWorld(t);
  });

  itKeepsTheEtagContract({ t: () => t, token: () => w.tokens.sys, path: () => path(w.acme.id), method: 'PUT', body: (n) => ({ name: w.acme.name, displayName: `Acme ${n}` }) });

  it('replaces every editable field and answers exactly the Org fields', async () => {
    const created = new Date(w.acme.createdAt).toISOString();
    now += 60_000;
    const res = await t.request('PUT', path(w.acme.id), { token: w.tokens.sys, body: { name: 'Acme2', displayName: 'ACME Two', description: 'renamed', isEnabled: true, canPublish: true } });
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({
      id: `urn:vcloud:org:${w.acme.id}`, name: 'Acme2', displayName: 'ACME Two', description: 'renamed', isEnabled: true,
      orgVdcCount: 0, catalogCount: 0, vappCount: 0, runningVMCount: 0, userCount: 2, diskCount: 0, canPublish: true,
      managedBy: { name: 'Provider', id: `urn:vcloud:org:${providerOrg(t.db)!.id}` },
      createdDate: created, lastModifiedDate: new Date(now).toISOString(),
    });
    expect(findOrg(t.db, w.acme.id)).toMatchObject({ name: 'Acme2', nameKey: 'acme2', displayName: 'ACME Two', description: 'renamed', canPublish: true });
  });

  it('empties an absent description, shows the name for an absent displayName, and keeps isEnabled and canPublish', async () => {
    const org = seedOrg(t.db, 'Full', { displayName: 'Full Org', description: 'old text', isEnabled: false, canPublish: true });
    const res = await t.request('PUT', path(org.id), { token: w.tokens.sys, body: { name: 'Full' } });
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ name: 'Full', displayName: 'Full', description: '', isEnabled: false, canPublish: true });
  });

  it('accepts the object GET returned, changed (a client sending the whole object back)', async () => {
    const cur = await json(await t.request('GET', path(w.acme.id), { token: w.tokens.sys }));
    const res = await t.request('PUT', path(w.acme.id), { token: w.tokens.sys, body: { ...cur, description: 'round trip', orgVdcCount: 99 } });
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ ...cur, description: 'round trip', lastModifiedDate: expect.any(String) });
  });

  it('renames to the same name in another case, frees the old name, and answers 400 DUPLICATE_NAME for a taken one', async () => {
    const same = await t.request('PUT', path(w.acme.id), { token: w.tokens.sys, body: { name: 'ACME' } });
    expect(same.status).toBe(200);
    expect((await json(same)).name).toBe('ACME');
    for (const name of ['beta', 'Provider']) {
      const dup = await t.request('PUT', path(w.acme.id), { token: w.tokens.sys, body: { name, description: 'not saved' } });
      expect(dup.status).toBe(400);
      const body = await json(dup);
      expect(body.minorErrorCode).toBe('DUPLICATE_NAME');
      expect(body.message).toContain('name');
    }
    expect(findOrg(t.db, w.acme.id)).toMatchObject({ name: 'ACME', description: '' });
    expect((await t.request('PUT', path(w.acme.id), { token: w.tokens.sys, body: { name: 'Gamma' } })).status).toBe(200);
    expect((await t.request('POST', '/cloudapi/1.0.0/orgs', { token: w.tokens.sys, body: { name: 'acme' } })).status).toBe(201);
  });

  it("ends the sessions of the org's users at once when disabling, and only theirs", async () => {
    const res = await t.request('PUT', path(w.acme.id), { token: w.tokens.sys, body: { name: 'Acme', isEnabled: false } });
    expect(res.status).toBe(200);
    expect((await json(res)).isEnabled).toBe(false);
    expect((await t.request('GET', ME, { token: w.tokens.orgAdmin })).status).toBe(401);
    expect((await t.request('GET', ME, { token: w.tokens.user })).status).toBe(401);
    expect((await t.request('GET', ME, { token: w.tokens.betaUser })).status).toBe(200);
  });

  it('keeps the Provider org enabled and named, but lets its other fields change', async () => {
    const provider = providerOrg(t.db)!;
    for (const [body, field] of [[{ name: 'Provider', isEnabled: false }, 'isEnabled'], [{ name: 'Provider2' }, 'name'], [{ name: 'provider' }, 'name']] as const) {
      const res = await t.request('PUT', path(provider.id), { token: w.tokens.sys, body });
      expect(res.status).toBe(400);
      const b = await json(res);
      expect(b.minorErrorCode).toBe('BAD_REQUEST');
      expect(b.message).toMatch(new RegExp(`^${field}: .*Provider`));
    }
    expect(findOrg(t.db, provider.id)).toMatchObject({ name: 'Provider', isEnabled: true });
    expect((await t.request('GET', ME, { token: w.tokens.sys })).status).toBe(200);
    const ok = await t.request('PUT', path(provider.id), { token: w.tokens.sys, body: { name: 'Provider', displayName: 'The Provider', description: 'us' } });
    expect(ok.status).toBe(200);
    expect(await json(ok)).toMatchObject({ name: 'Provider', displayName: 'The Provider', description: 'us', isEnabled: true });
  });

  it('answers 403 to an Organization Administrator on their own org, naming the action, and changes nothing', async () => {
    const res = await t.request('PUT', path(w.acme.id), { token: w.tokens.orgAdmin, body: { name: 'Mine', isEnabled: false } });
    expect(res.status).toBe(403);
    const body = await json(res);
    expect(body.minorErrorCode).toBe('ACCESS_TO_RESOURCE_IS_FORBIDDEN');
    expect(body.message).toContain('update');
    expect(findOrg(t.db, w.acme.id)).toMatchObject({ name: 'Acme', isEnabled: true });
  });

  it('answers 403 to a vApp User, and as "does not exist" for another org or a missing one', async () => {
    expect((await t.request('PUT', path(w.acme.id), { token: w.tokens.user, body: { name: 'Mine' } })).status).toBe(403);
    const foreign = await t.request('PUT', path(w.beta.id), { token: w.tokens.orgAdmin, body: { name: 'Taken' } });
    expect(foreign.status).toBe(403);
    expect((await json(foreign)).message).toBe(`Organization urn:vcloud:org:${w.beta.id} does not exist or you do not have access`);
    expect((await t.request('PUT', path(randomUUID()), { token: w.tokens.sys, body: { name: 'Ghost' } })).status).toBe(403);
    expect(findOrg(t.db, w.beta.id)!.name).toBe('Beta');
  });

  it.each([
    ['a missing name', { displayName: 'x' }, 'name'],
    ['an empty name', { name: '' }, 'name'],
    ['a numeric name', { name: 3 }, 'name'],
    ['a 129-character name', { name: 'n'.repeat(129) }, 'name'],
    ['a name with a space', { name: 'a b' }, 'name'],
    ['a 257-character displayName', { name: 'Acme', displayName: 'd'.repeat(257) }, 'displayName'],
    ['a 4097-character description', { name: 'Acme', description: 'd'.repeat(4097) }, 'description'],
    ['a string isEnabled', { name: 'Acme', isEnabled: 'no' }, 'isEnabled'],
    ['a null canPublish', { name: 'Acme', canPublish: null }, 'canPublish'],
  ])('answers 400 BAD_REQUEST for %s naming the field, and changes nothing', async (_label, body, field) => {
    const res = await t.request('PUT', path(w.acme.id), { token: w.tokens.sys, body });
    expect(res.status).toBe(400);
    const b = await json(res);
    expect(b.minorErrorCode).toBe('BAD_REQUEST');
    expect(b.message).toMatch(new RegExp(`(^|; )${field}: `));
    expect(findOrg(t.db, w.acme.id)).toEqual(w.acme);
  });

  it('answers 400 for broken JSON and for an empty body (name is required)', async () => {
    const broken = await t.request('PUT', path(w.acme.id), { token: w.tokens.sys, raw: '{"name":', headers: { 'content-type': 'application/json' } });
    expect(broken.status).toBe(400);
    const empty = await t.request('PUT', path(w.acme.id), { token: w.tokens.sys, raw: '' });
    expect(empty.status).toBe(400);
    expect((await json(empty)).message).toMatch(/^name: /);
    expect(findOrg(t.db, w.acme.id)).toEqual(w.acme);
  });

  it('answers 400 for a malformed URN and 401 without a session', async () => {
    const bad = await t.request('PUT', '/cloudapi/1.0.0/orgs/urn:vcloud:vdc:x', { token: w.tokens.sys, body: { name: 'x' } });
    expect(bad.status).toBe(400);
    expect((await json(bad)).message).toContain('orgId');
    const anon = await t.request('PUT', path(w.acme.id), { body: { name: 'Anon' } });
    expect(anon.status).toBe(401);
    expect(findOrg(t.db, w.acme.id)!.name).toBe('Acme');
  });

  it('lets a re-enabled org log in again, while the sessions ended by disabling stay ended', async () => {
    await seedUser(t.db, w.acme.id, 'carol', 'vApp User');
    const tok = await t.login('carol', USER_PASSWORD, 'Acme');
    await t.request('PUT', path(w.acme.id), { token: w.tokens.sys, body: { name: 'Acme', isEnabled: false } });
    await t.request('PUT', path(w.acme.id), { token: w.tokens.sys, body: { name: 'Acme', isEnabled: true } });
    expect((await t.request('GET', ME, { token: tok })).status).toBe(401);
    expect(await t.login('carol', USER_PASSWORD, 'Acme')).toHaveLength(43);
  });
});

describe('PUT /cloudapi/1.0.0/orgs/:orgId on a cluster', () => {
  let cluster: TestCluster;
  let core: CoreV1Api;
  beforeAll(async () => {
    cluster = await startTestCluster();
    core = cluster.sim.kubeConfig().makeApiClient(CoreV1Api);
  });
  afterAll(() => cluster?.stop());

  it("relabels the org's VDC namespaces on a rename, keeping their names", async () => {
    const t = await cluster.app();
    const admin = await t.adminToken();
    const org = seedOrg(t.db, 'PutCo');
    const vdc = await json(await t.request('POST', `/api/admin/org/urn:vcloud:org:${org.id}/vdcs`, { token: admin, body: { name: 'dev' } }));
    expect(vdc.namespace).toBe('vdc-putco-dev');
    const res = await t.request('PUT', path(org.id), { token: admin, body: { name: 'PutCo_(new)', displayName: 'Put Company' } });
    expect(res.status).toBe(200);
    const ns = await core.readNamespace({ name: 'vdc-putco-dev' });
    expect(ns.metadata?.labels).toMatchObject({ 'ssvirt.io/organization': 'PutCo_new', 'ssvirt.io/organization-id': org.id });
    expect(ns.metadata?.annotations).toMatchObject({ 'ssvirt.io/organization-display-name': 'Put Company', 'ssvirt.io/organization-urn': `urn:vcloud:org:${org.id}` });
  });

  it('needs no cluster for a change that leaves the name and display name alone', async () => {
    const t = await cluster.app();
    const admin = await t.adminToken();
    const org = seedOrg(t.db, 'Quiet', { displayName: 'Quiet Inc' });
    await t.request('POST', `/api/admin/org/urn:vcloud:org:${org.id}/vdcs`, { token: admin, body: { name: 'q' } });
    const id = cluster.sim.faults.inject({ outage: true });
    try {
      const res = await t.request('PUT', path(org.id), { token: admin, body: { name: 'Quiet', displayName: 'Quiet Inc', description: 'offline edit' } });
      expect(res.status).toBe(200);
      expect((await json(res)).description).toBe('offline edit');
    } finally {
      cluster.sim.faults.clear(id);
    }
  });
});
