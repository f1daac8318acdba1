import { describe, it, expect, beforeEach } from 'vitest';
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { makeTestApp, json, type TestApp } from '#test/support/app.ts';
import { seedUser, seedVapp, seedVdc, seedVm } from '#test/support/fixtures.ts';
import { adminVdcsPath, tenantVdcPath, vdcWorld, type VdcWorld } from '#test/support/vdc-world.ts';
import { vapps, vdcs, vms } from '#db/schema.ts';

describe('DELETE /api/admin/org/:orgId/vdcs/:vdcId', () => {
  let t: TestApp;
  let w: VdcWorld;
  let vdc: ReturnType<typeof seedVdc>;
  let ownerId: string;
  beforeEach(async () => {
    t = await makeTestApp();
    w = await vdcWorld(t);
    vdc = seedVdc(t.db, w.acme.id, 'Dev', { namespace: 'vdc-acme-dev', status: 'PENDING_CLUSTER' });
    ownerId = (await seedUser(t.db, w.acme.id, 'owner', 'vApp User')).id;
  });

  const del = (q = '', token = w.tokens.sys, vdcId = vdc.id, orgId = w.acme.id) => t.request('DELETE', `${adminVdcsPath(orgId, vdcId)}${q}`, { token });
  const exists = (id = vdc.id) => t.db.select().from(vdcs).where(eq(vdcs.id, id)).get() !== undefined;
  const withContents = () => {
    const vapp = seedVapp(t.db, vdc, ownerId, 'app');
    seedVm(t.db, vapp, vdc.namespace, 'vm-1');
    seedVm(t.db, vapp, vdc.namespace, 'vm-2');
    return vapp;
  };

  it('deletes an empty VDC with 204 and no body; it is then invisible', async () => {
    const res = await del();
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
    expect(exists()).toBe(false);
    expect((await t.request('GET', tenantVdcPath(vdc.id), { token: w.tokens.sys })).status).toBe(403);
    expect((await t.request('GET', adminVdcsPath(w.acme.id, vdc.id), { token: w.tokens.sys })).status).toBe(403);
  });

  it('frees the name and the namespace name', async () => {
    await del();
    const res = await t.request('POST', adminVdcsPath(w.acme.id), { token: w.tokens.sys, body: { name: 'dev' } });
    expect(res.status).toBe(201);
    expect((await json(res)).namespace).toBe('vdc-acme-dev');
  });

  it('answers 400 BUSY_ENTITY while the VDC has vApps, and deletes nothing', async () => {
    withContents();
    for (const q of ['', '?force=false', '?recursive=false']) {
      const res = await del(q);
      expect(res.status).toBe(400);
      const body = await json(res);
      expect(body.minorErrorCode).toBe('BUSY_ENTITY');
      expect(body.message).toContain('1 vApp');
    }
    expect(exists()).toBe(true);
    expect(t.db.select().from(vms).all()).toHaveLength(2);
  });

  it.each(['?force=true', '?recursive=true'])('with %s deletes the VDC with its vApps and VMs', async (q) => {
    withContents();
    const other = seedVdc(t.db, w.acme.id, 'Other');
    const keep = seedVapp(t.db, other, ownerId, 'keep');
    seedVm(t.db, keep, other.namespace, 'keep-vm');
    expect((await del(q)).status).toBe(204);
    expect(exists()).toBe(false);
    expect(t.db.select().from(vapps).all().map((r) => r.name)).toEqual(['keep']);
    expect(t.db.select().from(vms).all().map((r) => r.name)).toEqual(['keep-vm']);
  });

  it('rolls everything back when a step of the delete fails', async () => {
    withContents();
    t.db.$client.exec(`CREATE TRIGGER fail_vdc_delete BEFORE DELETE ON vdcs BEGIN SELECT RAISE(ABORT, 'injected'); END`);
    const res = await t.request('DELETE', `${adminVdcsPath(w.acme.id, vdc.id)}?force=true`, { token: w.tokens.sys, allow500: true });
    expect(res.status).toBe(500);
    expect(JSON.stringify(await json(res))).not.toContain('injected');
    expect(exists()).toBe(true);
    expect(t.db.select().from(vapps).all()).toHaveLength(1);
    expect(t.db.select().from(vms).all()).toHaveLength(2);
  });

  it('answers 403 for a VDC of another org, a missing one, or an unknown org', async () => {
    const beta = seedVdc(t.db, w.beta.id, 'Other');
    expect((await del('', w.tokens.sys, beta.id)).status).toBe(403);
    expect(exists(beta.id)).toBe(true);
    expect((await del('', w.tokens.sys, randomUUID())).status).toBe(403);
    expect((await del('', w.tokens.sys, vdc.id, randomUUID())).status).toBe(403);
    expect(exists()).toBe(true);
  });

  it.each(['orgAdmin', 'user', 'betaUser'] as const)('answers 403 for a %s and deletes nothing', async (who) => {
    expect((await del('?force=true', w.tokens[who])).status).toBe(403);
    expect(exists()).toBe(true);
  });

  it.each([['?force=yes', 'force'], ['?recursive=1', 'recursive']])('answers 400 for %s', async (q, word) => {
    const res = await del(q);
    expect(res.status).toBe(400);
    expect((await json(res)).message).toContain(word);
    expect(exists()).toBe(true);
  });

  it('answers 400 for a malformed VDC id', async () => {
    const res = await t.request('DELETE', `${adminVdcsPath(w.acme.id)}/1234`, { token: w.tokens.sys });
    expect(res.status).toBe(400);
  });

  it('answers 401 without a session', async () => {
    expect((await t.request('DELETE', adminVdcsPath(w.acme.id, vdc.id))).status).toBe(401);
  });
});
