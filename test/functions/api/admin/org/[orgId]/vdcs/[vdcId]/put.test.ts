import { describe, it, expect, beforeEach } from 'vitest';
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { makeTestApp, json, type TestApp } from '#test/support/app.ts';
import { seedVdc } from '#test/support/fixtures.ts';
import { adminVdcsPath, vdcWorld, type VdcWorld } from '#test/support/vdc-world.ts';
import { vdcs } from '#db/schema.ts';
import { itKeepsTheEtagContract } from '#test/support/etag-contract.ts';

describe('PUT /api/admin/org/:orgId/vdcs/:vdcId', () => {
  let t: TestApp;
  let w: VdcWorld;
  let vdc: ReturnType<typeof seedVdc>;
  beforeEach(async () => {
    t = await makeTestApp();
    w = await vdcWorld(t);
    vdc = seedVdc(t.db, w.acme.id, 'Dev', {
      description: 'old', allocationModel: 'AllocationPool', cpuLimit: 5000, memoryLimit: 4096, vmQuota: 4, nicQuota: 2,
      isEnabled: false, isThinProvision: false, providerVdc: { name: 'p', id: 'x' }, namespace: 'vdc-acme-dev',
      storageProfiles: [{ name: 'gold', enabled: true, units: 'MB', limit: 10, default: true }], createdAt: 1_000, updatedAt: 1_000,
    });
  });

  const put = (body: unknown, token = w.tokens.sys, orgId = w.acme.id, vdcId = vdc.id) => t.request('PUT', adminVdcsPath(orgId, vdcId), { token, body });
  const row = () => t.db.select().from(vdcs).where(eq(vdcs.id, vdc.id)).get()!;

  itKeepsTheEtagContract({ t: () => t, token: () => w.tokens.sys, path: () => adminVdcsPath(w.acme.id, vdc.id), method: 'PUT', body: (n) => ({ name: 'Dev', description: `described ${n}` }) });

  it('replaces every editable field; absent ones take their create defaults', async () => {
    const res = await put({ name: 'Dev', computeCapacity: { cpu: { limit: 2, units: 'cores' } } });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body).toMatchObject({
      id: `urn:vcloud:vdc:${vdc.id}`, name: 'Dev', description: '', allocationModel: 'AllocationVApp', allocationType: 'ALLOCATION_VAPP',
      computeCapacity: {
        cpu: { allocated: 0, limit: 2, reserved: 0, used: 0, units: 'cores' },
        memory: { allocated: 0, limit: 0, reserved: 0, used: 0, units: 'MB' },
      },
      vdcStorageProfiles: [], nicQuota: 0, vmQuota: 0, isEnabled: true, isThinProvision: true, providerVdc: null,
      namespace: 'vdc-acme-dev', createdDate: new Date(1_000).toISOString(),
    });
    expect(Date.parse(body.lastModifiedDate)).toBeGreaterThan(1_000);
    expect(row().cpuUnits).toBe('cores');
  });

  it('accepts what a GET answered, read-only fields included, and changes nothing', async () => {
    const before = await json(await t.request('GET', adminVdcsPath(w.acme.id, vdc.id), { token: w.tokens.sys }));
    const res = await put(before);
    expect(res.status).toBe(200);
    const after = await json(res);
    expect({ ...after, lastModifiedDate: null }).toEqual({ ...before, lastModifiedDate: null });
  });

  it('renames without touching the namespace, and frees the old name', async () => {
    const body = await json(await put({ name: 'Production' }));
    expect(body.name).toBe('Production');
    expect(body.namespace).toBe('vdc-acme-dev');
    const again = await t.request('POST', adminVdcsPath(w.acme.id), { token: w.tokens.sys, body: { name: 'Dev' } });
    expect(again.status).toBe(201);
    expect((await json(again)).namespace).toBe('vdc-acme-dev-2');
  });

  it('allows changing only the case of its own name', async () => {
    expect((await json(await put({ name: 'DEV' }))).name).toBe('DEV');
  });

  it('answers 400 DUPLICATE_NAME for another VDC\'s name in the org and changes nothing', async () => {
    seedVdc(t.db, w.acme.id, 'Prod');
    const res = await put({ name: 'prod', description: 'new' });
    expect(res.status).toBe(400);
    expect((await json(res)).minorErrorCode).toBe('DUPLICATE_NAME');
    expect(row()).toMatchObject({ name: 'Dev', description: 'old' });
  });

  it('allows a name used in another org', async () => {
    seedVdc(t.db, w.beta.id, 'Prod');
    expect((await put({ name: 'Prod' })).status).toBe(200);
  });

  it('answers 400 BUSY_ENTITY while the VDC is being deleted', async () => {
    t.db.update(vdcs).set({ status: 'DELETING' }).where(eq(vdcs.id, vdc.id)).run();
    const res = await put({ name: 'Dev' });
    expect(res.status).toBe(400);
    expect((await json(res)).minorErrorCode).toBe('BUSY_ENTITY');
  });

  it('answers 403 for a VDC of another org or a missing one', async () => {
    const beta = seedVdc(t.db, w.beta.id, 'Other');
    expect((await put({ name: 'x' }, w.tokens.sys, w.acme.id, beta.id)).status).toBe(403);
    expect((await put({ name: 'x' }, w.tokens.sys, w.acme.id, randomUUID())).status).toBe(403);
    expect((await put({ name: 'x' }, w.tokens.sys, randomUUID())).status).toBe(403);
  });

  it.each(['orgAdmin', 'user', 'betaUser'] as const)('answers 403 for a %s and changes nothing', async (who) => {
    expect((await put({ name: 'Hacked' }, w.tokens[who])).status).toBe(403);
    expect(row().name).toBe('Dev');
  });

  it.each([
    [{}, 'name'],
    [{ name: '' }, 'name'],
    [{ name: 'n'.repeat(129) }, 'name'],
    [{ name: 'Dev', allocationModel: 'Whatever' }, 'allocationModel'],
    [{ name: 'Dev', computeCapacity: { memory: { limit: -1 } } }, 'computeCapacity.memory.limit'],
    [{ name: 'Dev', vmQuota: '3' }, 'vmQuota'],
    [{ name: 'Dev', vdcStorageProfiles: [{ name: '' }] }, 'vdcStorageProfiles.0.name'],
  ])('answers 400 for %j naming %s', async (input, field) => {
    const res = await put(input);
    expect(res.status).toBe(400);
    expect((await json(res)).message).toContain(field);
    expect(row().name).toBe('Dev');
  });

  it('answers 400 for broken JSON and for an empty body (name is required)', async () => {
    const broken = await t.request('PUT', adminVdcsPath(w.acme.id, vdc.id), { token: w.tokens.sys, raw: '{"name":', headers: { 'content-type': 'application/json' } });
    expect(broken.status).toBe(400);
    const empty = await t.request('PUT', adminVdcsPath(w.acme.id, vdc.id), { token: w.tokens.sys, raw: '' });
    expect(empty.status).toBe(400);
    expect((await json(empty)).message).toContain('name');
  });

  it('answers 400 for a malformed VDC id', async () => {
    const res = await t.request('PUT', `${adminVdcsPath(w.acme.id)}/urn:vcloud:vdc:nope`, { token: w.tokens.sys, body: { name: 'x' } });
    expect(res.status).toBe(400);
    expect((await json(res)).message).toContain('vdcId');
  });

  it('answers 401 without a session', async () => {
    expect((await t.request('PUT', adminVdcsPath(w.acme.id, vdc.id), { body: { name: 'x' } })).status).toBe(401);
  });
});
