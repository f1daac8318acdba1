import { describe, it, expect, beforeEach } from 'vitest';
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { makeTestApp, json, type TestApp } from '#test/support/app.ts';
import { seedVdc } from '#test/support/fixtures.ts';
import { adminVdcsPath, vdcWorld, type VdcWorld } from '#test/support/vdc-world.ts';
import { vdcs } from '#db/schema.ts';
import { itKeepsTheEtagContract } from '#test/support/etag-contract.ts';

describe('PATCH /api/admin/org/:orgId/vdcs/:vdcId', () => {
  let t: TestApp;
  let w: VdcWorld;
  let vdc: ReturnType<typeof seedVdc>;
  beforeEach(async () => {
    t = await makeTestApp();
    w = await vdcWorld(t);
    vdc = seedVdc(t.db, w.acme.id, 'Dev', {
      description: 'old', allocationModel: 'AllocationPool', cpuUnits: 'GHz', cpuAllocated: 3, cpuLimit: 5, cpuReserved: 1,
      memoryLimit: 4096, vmQuota: 4, providerVdc: { name: 'p', id: 'x' }, namespace: 'vdc-acme-dev',
      storageProfiles: [{ name: 'gold', enabled: true, units: 'MB', limit: 10, default: true }],
    });
  });

  const patch = (body: unknown, token = w.tokens.sys, vdcId = vdc.id) => t.request('PATCH', adminVdcsPath(w.acme.id, vdcId), { token, body });
  const row = () => t.db.select().from(vdcs).where(eq(vdcs.id, vdc.id)).get()!;

  itKeepsTheEtagContract({ t: () => t, token: () => w.tokens.sys, path: () => adminVdcsPath(w.acme.id, vdc.id), method: 'PATCH', body: (n) => ({ description: `described ${n}` }) });

  it('changes only the given fields (the enable switch)', async () => {
    const res = await patch({ isEnabled: false });
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({
      name: 'Dev', description: 'old', isEnabled: false, allocationModel: 'AllocationPool', vmQuota: 4,
      providerVdc: { name: 'p', id: 'x' }, vdcStorageProfiles: [{ name: 'gold', limit: 10, default: true }],
      computeCapacity: { cpu: { allocated: 3, limit: 5, reserved: 1, units: 'GHz' }, memory: { limit: 4096 } },
    });
  });

  it('merges computeCapacity per sub-field', async () => {
    const body = await json(await patch({ computeCapacity: { cpu: { limit: 0 } } }));
    expect(body.computeCapacity.cpu).toEqual({ allocated: 3, limit: 0, reserved: 1, used: 0, units: 'GHz' });
    expect(body.computeCapacity.memory.limit).toBe(4096);
  });

  it('honours 0, false and null', async () => {
    const body = await json(await patch({ vmQuota: 0, isThinProvision: false, providerVdc: null, vdcStorageProfiles: [] }));
    expect(body).toMatchObject({ vmQuota: 0, isThinProvision: false, providerVdc: null, vdcStorageProfiles: [] });
  });

  it('accepts the old and CloudAPI allocation model names', async () => {
    expect((await json(await patch({ allocationModel: 'PayAsYouGo' }))).allocationModel).toBe('AllocationVApp');
    expect((await json(await patch({ allocationType: 'FLEX' }))).allocationType).toBe('FLEX');
  });

  it('never changes the namespace, status or org from the body', async () => {
    const body = await json(await patch({ namespace: 'kube-system', status: 'FAILED', org: { id: `urn:vcloud:org:${w.beta.id}` } }));
    expect(body).toMatchObject({ namespace: 'vdc-acme-dev', status: 'READY', org: { name: 'Acme' } });
    expect(row()).toMatchObject({ namespace: 'vdc-acme-dev', orgId: w.acme.id });
  });

  it('treats an empty body as no change', async () => {
    const res = await t.request('PATCH', adminVdcsPath(w.acme.id, vdc.id), { token: w.tokens.sys, raw: '' });
    expect(res.status).toBe(200);
    expect(row()).toMatchObject({ name: 'Dev', description: 'old', vmQuota: 4 });
  });

  it('renames, keeping the namespace', async () => {
    const body = await json(await patch({ name: 'Renamed' }));
    expect(body).toMatchObject({ name: 'Renamed', namespace: 'vdc-acme-dev' });
  });

  it('answers 400 DUPLICATE_NAME on a rename onto a taken name', async () => {
    seedVdc(t.db, w.acme.id, 'Prod');
    const res = await patch({ name: 'PROD' });
    expect(res.status).toBe(400);
    expect((await json(res)).minorErrorCode).toBe('DUPLICATE_NAME');
    expect(row().name).toBe('Dev');
  });

  it('answers 400 BUSY_ENTITY while the VDC is being deleted', async () => {
    t.db.update(vdcs).set({ status: 'DELETING' }).where(eq(vdcs.id, vdc.id)).run();
    expect((await json(await patch({ isEnabled: false }))).minorErrorCode).toBe('BUSY_ENTITY');
  });

  it('answers 403 for another org\'s VDC, a missing one, and non-administrators', async () => {
    const beta = seedVdc(t.db, w.beta.id, 'Other');
    expect((await patch({ isEnabled: false }, w.tokens.sys, beta.id)).status).toBe(403);
    expect((await patch({ isEnabled: false }, w.tokens.sys, randomUUID())).status).toBe(403);
    for (const who of ['orgAdmin', 'user', 'betaUser'] as const) expect((await patch({ isEnabled: false }, w.tokens[who])).status).toBe(403);
    expect(row().isEnabled).toBe(true);
  });

  it.each([
    [{ name: '' }, 'name'],
    [{ name: null }, 'name'],
    [{ isEnabled: 'false' }, 'isEnabled'],
    [{ computeCapacity: { cpu: { reserved: -3 } } }, 'computeCapacity.cpu.reserved'],
    [{ computeCapacity: { cpu: [] } }, 'computeCapacity.cpu'],
    [{ networkQuota: 1e20 }, 'networkQuota'],
    [{ description: 7 }, 'description'],
  ])('answers 400 for %j naming %s', async (input, field) => {
    const res = await patch(input);
    expect(res.status).toBe(400);
    expect((await json(res)).message).toContain(field);
  });

  it('answers 400 for broken JSON', async () => {
    const res = await t.request('PATCH', adminVdcsPath(w.acme.id, vdc.id), { token: w.tokens.sys, raw: '{', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(400);
  });

  it('answers 401 without a session', async () => {
    expect((await t.request('PATCH', adminVdcsPath(w.acme.id, vdc.id), { body: {} })).status).toBe(401);
  });
});
