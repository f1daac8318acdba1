import { describe, it, expect, beforeEach, beforeAll, afterAll } from 'vitest';
import { randomUUID } from 'node:crypto';
import { CoreV1Api } from '@kubernetes/client-node';
import { makeTestApp, json, type TestApp } from '#test/support/app.ts';
import { seedOrg, seedUser, USER_PASSWORD } from '#test/support/fixtures.ts';
import { vdcWorld, type VdcWorld } from '#test/support/vdc-world.ts';
import { startTestCluster, type TestCluster } from '#test/support/cluster.ts';
import { findOrg, providerOrg } from '#db/queries/orgs.ts';
import { itKeepsTheEtagContract } from '#test/support/etag-contract.ts';
import { findVdc } from '#db/queries/vdcs.ts';
import { until } from '#test/support/wait.ts';

const path = (id: string) => `/cloudapi/1.0.0/orgs/${encodeURIComponent(`urn:vcloud:org:${id}`)}`;
const ME = '/cloudapi/1.0.0/sessions/current';

/** How the tests below poll (`until`): every 25 ms for up to 5 s. */
const POLL = { intervalMs: 25 };

describe('PATCH /cloudapi/1.0.0/orgs/:orgId', () => {
  let t: TestApp;
  let w: VdcWorld;
  let org: ReturnType<typeof seedOrg>;
  beforeEach(async () => {
    t = await makeTestApp();
    w = await vdcWorld(t);
    org = seedOrg(t.db, 'Full', { displayName: 'Full Org', description: 'keep me', canPublish: true });
  });

  it.each([
    ['name', { name: 'Fuller' }],
    ['displayName', { displayName: 'Fuller Org' }],
    ['description', { description: 'changed' }],
    ['isEnabled', { isEnabled: false }],
    ['canPublish', { canPublish: false }],
  ])('changes only %s', async (_field, change) => {
    const before = await json(await t.request('GET', path(org.id), { token: w.tokens.sys }));
    const res = await t.request('PATCH', path(org.id), { token: w.tokens.sys, body: change });
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ ...before, ...change, lastModifiedDate: expect.any(String) });
    expect(findOrg(t.db, org.id)).toMatchObject(change);
  });

  itKeepsTheEtagContract({ t: () => t, token: () => w.tokens.sys, path: () => path(org.id), method: 'PATCH', body: (n) => ({ description: `described ${n}` }) });

  it('shows the name when the display name is set empty', async () => {
    const res = await t.request('PATCH', path(org.id), { token: w.tokens.sys, body: { displayName: '' } });
    expect((await json(res)).displayName).toBe('Full');
  });

  it("disables with {isEnabled:false}, ending every session of the org's users at once, and only theirs", async () => {
    await seedUser(t.db, w.acme.id, 'carol', 'vApp User');
    const carol = await t.login('carol', USER_PASSWORD, 'Acme');
    const sessionsOf = (orgId: string) => (t.db.$client.prepare('SELECT count(*) AS n FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.org_id = ?').get(orgId) as { n: number }).n;
    expect(sessionsOf(w.acme.id)).toBe(3);

    const res = await t.request('PATCH', path(w.acme.id), { token: w.tokens.sys, body: { isEnabled: false } });
    expect(res.status).toBe(200);
    expect((await json(res)).isEnabled).toBe(false);
    // Revoked, not merely refused while disabled: the rows are gone and stay gone after re-enabling.
    expect(sessionsOf(w.acme.id)).toBe(0);
    for (const tok of [carol, w.tokens.orgAdmin, w.tokens.user]) expect((await t.request('GET', ME, { token: tok })).status).toBe(401);
    expect((await t.request('GET', ME, { token: w.tokens.betaUser })).status).toBe(200);
    expect((await t.request('GET', ME, { token: w.tokens.sys })).status).toBe(200);

    const cred = Buffer.from(`carol@Acme:${USER_PASSWORD}`).toString('base64');
    const refused = await t.request('POST', '/cloudapi/1.0.0/sessions', { headers: { authorization: `Basic ${cred}` } });
    expect(refused.status).toBe(401);
    expect((await json(refused)).message).toContain('disabled');

    const back = await t.request('PATCH', path(w.acme.id), { token: w.tokens.sys, body: { isEnabled: true } });
    expect((await json(back)).isEnabled).toBe(true);
    expect((await t.request('GET', ME, { token: carol })).status).toBe(401);
    expect(await t.login('carol', USER_PASSWORD, 'Acme')).toHaveLength(43);
  });

  it('treats an empty body as no change and answers 400 for broken JSON', async () => {
    const before = findOrg(t.db, org.id);
    for (const headers of [{}, { 'content-type': 'application/json' }] as Record<string, string>[]) {
      const empty = await t.request('PATCH', path(org.id), { token: w.tokens.sys, raw: '', headers });
      expect(empty.status).toBe(200);
      expect(await json(empty)).toMatchObject({ name: 'Full', displayName: 'Full Org', description: 'keep me', canPublish: true, isEnabled: true });
    }
    const broken = await t.request('PATCH', path(org.id), { token: w.tokens.sys, raw: '{"isEnabled": fal', headers: { 'content-type': 'application/json' } });
    expect(broken.status).toBe(400);
    expect((await json(broken)).minorErrorCode).toBe('BAD_REQUEST');
    expect(findOrg(t.db, org.id)).toMatchObject({ ...before, updatedAt: expect.any(Number) });
  });

  it('renames, frees the old name, and answers 400 DUPLICATE_NAME for a taken name in any case', async () => {
    expect((await json(await t.request('PATCH', path(org.id), { token: w.tokens.sys, body: { name: 'Fresh' } }))).name).toBe('Fresh');
    expect((await t.request('POST', '/cloudapi/1.0.0/orgs', { token: w.tokens.sys, body: { name: 'full' } })).status).toBe(201);
    const dup = await t.request('PATCH', path(org.id), { token: w.tokens.sys, body: { name: 'ACME', description: 'not saved' } });
    expect(dup.status).toBe(400);
    expect(await json(dup)).toMatchObject({ minorErrorCode: 'DUPLICATE_NAME', message: expect.stringContaining('name') });
    expect(findOrg(t.db, org.id)).toMatchObject({ name: 'Fresh', description: 'keep me' });
  });

  it('answers 400 for disabling or renaming the Provider org, and lets its description change', async () => {
    const provider = providerOrg(t.db)!;
    expect((await json(await t.request('PATCH', path(provider.id), { token: w.tokens.sys, body: { isEnabled: false } }))).message).toMatch(/^isEnabled: .*Provider/);
    expect((await json(await t.request('PATCH', path(provider.id), { token: w.tokens.sys, body: { name: 'Root' } }))).message).toMatch(/^name: .*Provider/);
    expect(findOrg(t.db, provider.id)).toMatchObject({ name: 'Provider', isEnabled: true });
    expect((await t.request('GET', ME, { token: w.tokens.sys })).status).toBe(200);
    const ok = await t.request('PATCH', path(provider.id), { token: w.tokens.sys, body: { description: 'us', isEnabled: true } });
    expect(ok.status).toBe(200);
    expect((await json(ok)).description).toBe('us');
  });

  it.each(['orgAdmin', 'user'] as const)('answers 403 to a %s, even on their own org, and changes nothing', async (who) => {
    const own = await t.request('PATCH', path(w.acme.id), { token: w.tokens[who], body: { isEnabled: false } });
    expect(own.status).toBe(403);
    expect((await json(own)).message).toContain('update');
    const foreign = await t.request('PATCH', path(w.beta.id), { token: w.tokens[who], body: { isEnabled: false } });
    expect(foreign.status).toBe(403);
    expect((await json(foreign)).message).toContain('does not exist or you do not have access');
    expect(findOrg(t.db, w.acme.id)!.isEnabled).toBe(true);
    expect(findOrg(t.db, w.beta.id)!.isEnabled).toBe(true);
    expect((await t.request('GET', ME, { token: w.tokens[who] })).status).toBe(200);
  });

  it.each([
    ['a null name', { name: null }, 'name'],
    ['an empty name', { name: '' }, 'name'],
    ['a 129-character name', { name: 'n'.repeat(129) }, 'name'],
    ['a name with a colon', { name: 'a:b' }, 'name'],
    ['an object displayName', { displayName: { text: 'x' } }, 'displayName'],
    ['a 257-character displayName', { displayName: 'd'.repeat(257) }, 'displayName'],
    ['a 4097-character description', { description: 'd'.repeat(4097) }, 'description'],
    ['a string isEnabled', { isEnabled: 'false' }, 'isEnabled'],
    ['a numeric isEnabled', { isEnabled: 0 }, 'isEnabled'],
    ['a string canPublish', { canPublish: 'true' }, 'canPublish'],
  ])('answers 400 BAD_REQUEST for %s naming the field, and changes nothing', async (_label, body, field) => {
    const res = await t.request('PATCH', path(org.id), { token: w.tokens.sys, body });
    expect(res.status).toBe(400);
    const b = await json(res);
    expect(b.minorErrorCode).toBe('BAD_REQUEST');
    expect(b.message).toMatch(new RegExp(`(^|; )${field}: `));
    expect(findOrg(t.db, org.id)).toEqual(org);
  });

  it('answers 400 for a malformed URN, 403 for a missing org, 401 without a session', async () => {
    expect((await t.request('PATCH', '/cloudapi/1.0.0/orgs/Full', { token: w.tokens.sys, body: {} })).status).toBe(400);
    expect((await t.request('PATCH', path(randomUUID()), { token: w.tokens.sys, body: { isEnabled: false } })).status).toBe(403);
    expect((await t.request('PATCH', path(org.id), { body: { isEnabled: false } })).status).toBe(401);
    expect(findOrg(t.db, org.id)!.isEnabled).toBe(true);
  });
});

describe('PATCH /cloudapi/1.0.0/orgs/:orgId on a cluster', () => {
  let cluster: TestCluster;
  let core: CoreV1Api;
  beforeAll(async () => {
    cluster = await startTestCluster();
    core = cluster.sim.kubeConfig().makeApiClient(CoreV1Api);
  });
  afterAll(() => cluster?.stop());

  async function orgWithVdcs(t: TestApp, admin: string, name: string, vdcNames: string[]) {
    const org = seedOrg(t.db, name, { displayName: `${name} Inc` });
    const vdcs = [];
    for (const v of vdcNames) {
      const res = await t.request('POST', `/api/admin/org/urn:vcloud:org:${org.id}/vdcs`, { token: admin, body: { name: v } });
      expect(res.status).toBe(201);
      vdcs.push(await json(res));
    }
    return { org, vdcs };
  }

  it("relabels every namespace of the org's VDCs on a rename, names unchanged, other orgs untouched", async () => {
    const t = await cluster.app();
    const admin = await t.adminToken();
    const { org, vdcs } = await orgWithVdcs(t, admin, 'Relabel', ['dev', 'prod']);
    const { vdcs: [other] } = await orgWithVdcs(t, admin, 'Bystander', ['dev']);
    expect(vdcs.map((v) => v.namespace)).toEqual(['vdc-relabel-dev', 'vdc-relabel-prod']);

    const res = await t.request('PATCH', path(org.id), { token: admin, body: { name: "Relabelled.(2)" } });
    expect(res.status).toBe(200);
    for (const vdc of vdcs) {
      const ns = await core.readNamespace({ name: vdc.namespace });
      // docs/kubernetes.md "Namespace labels and annotations": the label is the sanitised org name, the annotations keep the rest.
      expect(ns.metadata?.labels).toMatchObject({
        'app.kubernetes.io/managed-by': 'ssvirt', 'ssvirt.io/organization': 'Relabelled.2', 'ssvirt.io/organization-id': org.id,
        'ssvirt.io/vdc': vdc.name, 'ssvirt.io/vdc-id': vdc.id.split(':').pop(),
      });
      expect(ns.metadata?.annotations).toMatchObject({ 'ssvirt.io/organization-urn': `urn:vcloud:org:${org.id}`, 'ssvirt.io/organization-display-name': 'Relabel Inc' });
    }
    const bystander = await core.readNamespace({ name: other.namespace });
    expect(bystander.metadata?.labels?.['ssvirt.io/organization']).toBe('Bystander');

    // A display name change alone updates the annotation.
    expect((await t.request('PATCH', path(org.id), { token: admin, body: { displayName: 'Relabel Group' } })).status).toBe(200);
    expect((await core.readNamespace({ name: 'vdc-relabel-dev' })).metadata?.annotations?.['ssvirt.io/organization-display-name']).toBe('Relabel Group');
    // The VDC view shows the new org name; the namespace name is fixed.
    const vdc = await json(await t.request('GET', `/cloudapi/1.0.0/vdcs/${vdcs[0].id}`, { token: admin }));
    expect(vdc).toMatchObject({ namespace: 'vdc-relabel-dev', org: { name: 'Relabelled.(2)' } });
  });

  it('keeps a rename the cluster could not follow, answers 503 saying so, and the reconciler relabels later', async () => {
    const t = await cluster.app();
    const admin = await t.adminToken();
    const { org, vdcs: [vdc] } = await orgWithVdcs(t, admin, 'Flaky', ['dev']);
    const id = cluster.sim.faults.inject({ verb: 'patch', resource: 'namespaces', status: 503 });
    try {
      const res = await t.request('PATCH', path(org.id), { token: admin, body: { name: 'Steady' } });
      expect(res.status).toBe(503);
      const body = await json(res);
      expect(body.minorErrorCode).toBe('CLUSTER_UNAVAILABLE');
      expect(body.message).toContain('saved');
      expect(findOrg(t.db, org.id)!.name).toBe('Steady');
      expect(findVdc(t.db, vdc.id.split(':').pop())!.needsReconcile).toBe(true);
      expect((await core.readNamespace({ name: vdc.namespace })).metadata?.labels?.['ssvirt.io/organization']).toBe('Flaky');
    } finally {
      cluster.sim.faults.clear(id);
    }
    await until('the cluster to be reachable again', () => t.runtime.reachable(), POLL);
    await t.runtime.reconciler!.trigger();
    expect((await core.readNamespace({ name: vdc.namespace })).metadata?.labels?.['ssvirt.io/organization']).toBe('Steady');
    expect(findVdc(t.db, vdc.id.split(':').pop())!.needsReconcile).toBe(false);
  });

  it('changes nothing in the cluster when disabling an org', async () => {
    const t = await cluster.app();
    const admin = await t.adminToken();
    const { org, vdcs: [vdc] } = await orgWithVdcs(t, admin, 'Sleepy', ['dev']);
    const before = await core.readNamespace({ name: vdc.namespace });
    const id = cluster.sim.faults.inject({ outage: true });
    try {
      expect((await t.request('PATCH', path(org.id), { token: admin, body: { isEnabled: false } })).status).toBe(200);
    } finally {
      cluster.sim.faults.clear(id);
    }
    const after = await core.readNamespace({ name: vdc.namespace });
    expect(after.metadata?.resourceVersion).toBe(before.metadata?.resourceVersion);
  });
});
