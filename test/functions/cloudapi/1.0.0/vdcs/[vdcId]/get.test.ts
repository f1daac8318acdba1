import { describe, it, expect, beforeEach } from 'vitest';
import { randomUUID } from 'node:crypto';
import { makeTestApp, json, type TestApp } from '#test/support/app.ts';
import { seedVdc } from '#test/support/fixtures.ts';
import { tenantVdcPath, vdcWorld, type VdcWorld } from '#test/support/vdc-world.ts';

describe('GET /cloudapi/1.0.0/vdcs/:vdcId', () => {
  let t: TestApp;
  let w: VdcWorld;
  let acmeVdc: ReturnType<typeof seedVdc>;
  let betaVdc: ReturnType<typeof seedVdc>;
  beforeEach(async () => {
    t = await makeTestApp();
    w = await vdcWorld(t);
    acmeVdc = seedVdc(t.db, w.acme.id, 'Dev', {
      description: 'dev stuff', allocationModel: 'ReservationPool', cpuUnits: 'cores', cpuLimit: 8, memoryLimit: 16384,
      storageProfiles: [{ name: 'gold', enabled: true, units: 'MB', limit: 1000, default: true }],
      providerVdc: { name: 'pvdc', id: 'urn:vcloud:providervdc:1' }, vmQuota: 5, namespace: 'vdc-acme-dev', status: 'PENDING_CLUSTER',
    });
    betaVdc = seedVdc(t.db, w.beta.id, 'Other');
  });

  it('answers the whole VDC object to a member of its org', async () => {
    const res = await t.request('GET', tenantVdcPath(acmeVdc.id), { token: w.tokens.user });
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({
      id: `urn:vcloud:vdc:${acmeVdc.id}`,
      name: 'Dev',
      description: 'dev stuff',
      org: { name: 'Acme', id: `urn:vcloud:org:${w.acme.id}` },
      allocationModel: 'ReservationPool',
      allocationType: 'RESERVATION_POOL',
      computeCapacity: {
        cpu: { allocated: 0, limit: 8, reserved: 0, used: 0, units: 'cores' },
        memory: { allocated: 0, limit: 16384, reserved: 0, used: 0, units: 'MB' },
      },
      providerVdc: { name: 'pvdc', id: 'urn:vcloud:providervdc:1' },
      nicQuota: 0,
      networkQuota: 0,
      vmQuota: 5,
      vdcStorageProfiles: [{ name: 'gold', enabled: true, units: 'MB', limit: 1000, default: true }],
      isThinProvision: true,
      isEnabled: true,
      status: 'PENDING_CLUSTER',
      namespace: 'vdc-acme-dev',
      createdDate: new Date(acmeVdc.createdAt).toISOString(),
      lastModifiedDate: new Date(acmeVdc.updatedAt).toISOString(),
    });
  });

  it('accepts the URN unencoded and a bare uuid', async () => {
    for (const id of [`urn:vcloud:vdc:${acmeVdc.id}`, acmeVdc.id]) {
      expect((await t.request('GET', `/cloudapi/1.0.0/vdcs/${id}`, { token: w.tokens.orgAdmin })).status).toBe(200);
    }
  });

  it('answers any VDC to a System Administrator', async () => {
    expect((await t.request('GET', tenantVdcPath(betaVdc.id), { token: w.tokens.sys })).status).toBe(200);
  });

  it('answers 403 for another org\'s VDC exactly like a missing one', async () => {
    const other = await t.request('GET', tenantVdcPath(betaVdc.id), { token: w.tokens.orgAdmin });
    const missingId = randomUUID();
    const missing = await t.request('GET', tenantVdcPath(missingId), { token: w.tokens.orgAdmin });
    expect(other.status).toBe(403);
    expect(missing.status).toBe(403);
    const a = await json(other);
    const b = await json(missing);
    expect(a.minorErrorCode).toBe('ACCESS_TO_RESOURCE_IS_FORBIDDEN');
    expect(a.message).toBe(`VDC urn:vcloud:vdc:${betaVdc.id} does not exist or you do not have access`);
    expect(b.message).toBe(`VDC urn:vcloud:vdc:${missingId} does not exist or you do not have access`);
  });

  it.each(['nope', `urn:vcloud:org:${randomUUID()}`, 'urn:vcloud:vdc:1234'])('answers 400 for the malformed id %s', async (id) => {
    const res = await t.request('GET', `/cloudapi/1.0.0/vdcs/${encodeURIComponent(id)}`, { token: w.tokens.sys });
    expect(res.status).toBe(400);
    expect((await json(res)).message).toContain('vdcId');
  });

  it('answers 401 without a session', async () => {
    expect((await t.request('GET', tenantVdcPath(acmeVdc.id))).status).toBe(401);
  });
});
