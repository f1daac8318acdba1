import { describe, it, expect, beforeEach } from 'vitest';
import { randomUUID } from 'node:crypto';
import { makeTestApp, json, type TestApp } from '#test/support/app.ts';
import { seedVdc } from '#test/support/fixtures.ts';
import { adminVdcsPath, vdcWorld, type VdcWorld } from '#test/support/vdc-world.ts';
import { updateVdc } from '#db/queries/vdcs.ts';

describe('GET /api/admin/org/:orgId/vdcs/:vdcId', () => {
  let t: TestApp;
  let w: VdcWorld;
  let acmeVdc: ReturnType<typeof seedVdc>;
  let betaVdc: ReturnType<typeof seedVdc>;
  beforeEach(async () => {
    t = await makeTestApp();
    w = await vdcWorld(t);
    acmeVdc = seedVdc(t.db, w.acme.id, 'Dev', { allocationModel: 'Flex', status: 'PENDING_CLUSTER', namespace: 'vdc-acme-dev' });
    betaVdc = seedVdc(t.db, w.beta.id, 'Other');
  });

  it('answers the VDC', async () => {
    const res = await t.request('GET', adminVdcsPath(w.acme.id, acmeVdc.id), { token: w.tokens.sys });
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({
      id: `urn:vcloud:vdc:${acmeVdc.id}`, name: 'Dev', org: { name: 'Acme', id: `urn:vcloud:org:${w.acme.id}` },
      allocationModel: 'Flex', allocationType: 'FLEX', status: 'PENDING_CLUSTER', namespace: 'vdc-acme-dev',
    });
  });

  it("answers the VDC's version as a strong ETag, which any write of the row moves (status too)", async () => {
    expect((await t.request('GET', adminVdcsPath(w.acme.id, acmeVdc.id), { token: w.tokens.sys })).headers.get('etag')).toBe('"1"');
    updateVdc(t.db, acmeVdc.id, { status: 'READY' });
    expect((await t.request('GET', adminVdcsPath(w.acme.id, acmeVdc.id), { token: w.tokens.sys })).headers.get('etag')).toBe('"2"');
  });

  it('answers 403 for a VDC of another org, exactly like a missing one', async () => {
    const res = await t.request('GET', adminVdcsPath(w.acme.id, betaVdc.id), { token: w.tokens.sys });
    expect(res.status).toBe(403);
    expect((await json(res)).message).toBe(`VDC urn:vcloud:vdc:${betaVdc.id} does not exist or you do not have access`);
    const missing = randomUUID();
    const res2 = await t.request('GET', adminVdcsPath(w.acme.id, missing), { token: w.tokens.sys });
    expect(res2.status).toBe(403);
    expect((await json(res2)).message).toBe(`VDC urn:vcloud:vdc:${missing} does not exist or you do not have access`);
  });

  it('answers 403 under an unknown org', async () => {
    const res = await t.request('GET', adminVdcsPath(randomUUID(), acmeVdc.id), { token: w.tokens.sys });
    expect(res.status).toBe(403);
    expect((await json(res)).message).toMatch(/^Organization urn:vcloud:org:/);
  });

  it.each(['orgAdmin', 'user', 'betaUser'] as const)('answers 403 for a %s, even for their own org\'s VDC', async (who) => {
    const res = await t.request('GET', adminVdcsPath(w.acme.id, acmeVdc.id), { token: w.tokens[who] });
    expect(res.status).toBe(403);
    expect((await json(res)).minorErrorCode).toBe('ACCESS_TO_RESOURCE_IS_FORBIDDEN');
  });

  it('answers 400 for malformed ids, naming the parameter', async () => {
    const a = await t.request('GET', `/api/admin/org/${encodeURIComponent(`urn:vcloud:org:${w.acme.id}`)}/vdcs/xyz`, { token: w.tokens.sys });
    expect(a.status).toBe(400);
    expect((await json(a)).message).toContain('vdcId');
    const b = await t.request('GET', `/api/admin/org/xyz/vdcs/${encodeURIComponent(`urn:vcloud:vdc:${acmeVdc.id}`)}`, { token: w.tokens.sys });
    expect(b.status).toBe(400);
    expect((await json(b)).message).toContain('orgId');
  });

  it('answers 401 without a session', async () => {
    expect((await t.request('GET', adminVdcsPath(w.acme.id, acmeVdc.id))).status).toBe(401);
  });
});
