import { describe, it, expect, beforeEach } from 'vitest';
import { makeTestApp, json, type TestApp } from '#test/support/app.ts';
import { seedVdc } from '#test/support/fixtures.ts';
import { vdcWorld, type VdcWorld } from '#test/support/vdc-world.ts';
import type { VdcStatus } from '#db/status.ts';

describe('GET /cloudapi/1.0.0/vdcs', () => {
  let t: TestApp;
  let w: VdcWorld;
  let ids: Record<string, string>;
  beforeEach(async () => {
    t = await makeTestApp();
    w = await vdcWorld(t);
    ids = {};
    for (let i = 0; i < 30; i++) {
      const name = `vdc-${String(i).padStart(2, '0')}`;
      ids[name] = seedVdc(t.db, w.acme.id, name, { isEnabled: i % 2 === 0, status: i < 3 ? 'PENDING_CLUSTER' : 'READY' }).id;
    }
    ids.b1 = seedVdc(t.db, w.beta.id, 'beta-one').id;
    ids.b2 = seedVdc(t.db, w.beta.id, 'beta-two', { isEnabled: false }).id;
  });

  const list = async (q: string, token = w.tokens.sys) => {
    const res = await t.request('GET', `/cloudapi/1.0.0/vdcs${q}`, { token });
    expect(res.status).toBe(200);
    return json(res);
  };
  const names = (body: any) => body.values.map((v: any) => v.name);

  it('pages all VDCs for a System Administrator with the envelope and Link header', async () => {
    const res = await t.request('GET', '/cloudapi/1.0.0/vdcs?pageSize=10&page=2', { token: w.tokens.sys });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body).toMatchObject({ resultTotal: 32, pageCount: 4, page: 2, pageSize: 10, associations: [] });
    expect(names(body)).toEqual(['vdc-08', 'vdc-09', 'vdc-10', 'vdc-11', 'vdc-12', 'vdc-13', 'vdc-14', 'vdc-15', 'vdc-16', 'vdc-17']);
    const link = res.headers.get('link')!;
    for (const rel of ['firstPage', 'previousPage', 'nextPage', 'lastPage']) expect(link).toContain(`rel="${rel}"`);
    expect(link).toContain('pageSize=10');
  });

  it('renders each VDC as the full object with its org reference', async () => {
    const body = await list('?filter=name==beta-one');
    expect(body.values).toHaveLength(1);
    expect(body.values[0]).toMatchObject({
      id: `urn:vcloud:vdc:${ids.b1}`, name: 'beta-one', org: { name: 'Beta', id: `urn:vcloud:org:${w.beta.id}` },
      allocationModel: 'AllocationVApp', allocationType: 'ALLOCATION_VAPP', status: 'READY',
      computeCapacity: { cpu: { used: 0, units: 'MHz' }, memory: { used: 0, units: 'MB' } },
      vdcStorageProfiles: [], isEnabled: true,
    });
  });

  it('renders each VDC exactly as GET /cloudapi/1.0.0/vdcs/:vdcId does', async () => {
    // The list reads rows with its own SQL (db/queries/vdcs.ts); the single GET goes through drizzle.
    seedVdc(t.db, w.beta.id, 'beta-full', {
      description: 'all fields', allocationModel: 'Flex', cpuUnits: 'GHz', cpuAllocated: 3, cpuLimit: 6, cpuReserved: 1,
      memoryUnits: 'GB', memoryAllocated: 4, memoryLimit: 8, memoryReserved: 2, nicQuota: 5, networkQuota: 6, vmQuota: 7,
      storageProfiles: [{ name: 'gold', enabled: true, units: 'MB', limit: 2048, default: true }, { name: 'bronze', enabled: false, units: 'MB', limit: 0, default: false }],
      providerVdc: { name: 'pvdc', id: 'urn:vcloud:providervdc:1' }, isThinProvision: false, isEnabled: false, status: 'ERROR' as VdcStatus, // not one SSVirt writes: stored text passes through
      statusMessage: 'quota rejected', needsReconcile: true, createdAt: Date.UTC(2024, 1, 29, 12, 0, 0, 7), updatedAt: Date.UTC(2025, 0, 1),
    });
    const body = await list('?filter=org.name==Beta&pageSize=128');
    expect(body.values).toHaveLength(3);
    for (const v of body.values) {
      const one = await t.request('GET', `/cloudapi/1.0.0/vdcs/${v.id}`, { token: w.tokens.sys });
      expect(v).toEqual(await json(one));
    }
  });

  it.each(['orgAdmin', 'user'] as const)('shows a %s of Acme only Acme VDCs', async (who) => {
    const body = await list('?pageSize=128', w.tokens[who]);
    expect(body.resultTotal).toBe(30);
    expect(body.values.every((v: any) => v.org.id === `urn:vcloud:org:${w.acme.id}`)).toBe(true);
  });

  it('shows a Beta user only Beta VDCs, even when filtering on Acme', async () => {
    expect(names(await list('', w.tokens.betaUser))).toEqual(['beta-one', 'beta-two']);
    expect((await list(`?filter=org.id==urn:vcloud:org:${w.acme.id}`, w.tokens.betaUser)).resultTotal).toBe(0);
  });

  it('narrows a System Administrator to the tenant context org', async () => {
    const res = await t.request('GET', '/cloudapi/1.0.0/vdcs', { token: w.tokens.sys, headers: { 'x-vmware-vcloud-tenant-context': w.beta.id } });
    expect(names(await json(res))).toEqual(['beta-one', 'beta-two']);
  });

  it.each([
    [`filter=org.id==urn:vcloud:org:{beta}`, ['beta-one', 'beta-two']],
    ['filter=isEnabled==false;org.name==Beta', ['beta-two']],
    ['filter=status==PENDING_CLUSTER', ['vdc-00', 'vdc-01', 'vdc-02']],
    ['filter=name==beta*', ['beta-one', 'beta-two']],
    ['filter=name==BETA-*', ['beta-one', 'beta-two']],
    ['filter=(name==vdc-01,name==vdc-02);isEnabled==true', ['vdc-02']],
    ['filter=id==urn:vcloud:vdc:{b2}', ['beta-two']],
    ['filter=TA-ON', ['beta-one']],
    ['filter=allocationModel==AllocationVApp;org.name==Beta&sortDesc=name', ['beta-two', 'beta-one']],
  ])('filters with %s', async (q, expected) => {
    const query = q.replace('{beta}', w.beta.id).replace('{b2}', ids.b2!);
    expect(names(await list(`?${query}&pageSize=128`))).toEqual(expected);
  });

  it('sorts descending on a field', async () => {
    const body = await list('?sortDesc=name&pageSize=3');
    expect(names(body)).toEqual(['vdc-29', 'vdc-28', 'vdc-27']);
  });

  it('returns an empty page past the end with the exact total', async () => {
    const body = await list('?page=50');
    expect(body.values).toEqual([]);
    expect(body.resultTotal).toBe(32);
  });

  it.each([
    ['pageSize=0', 'pageSize'], ['pageSize=999', 'pageSize'], ['page=0', 'page'], ['page=x', 'page'],
    ['filter=color==red', 'color'], ['filter=name==(', 'filter'], ['sortAsc=color', 'color'],
    ['filter=org.id==acme', 'org.id'], ['filter=id==urn:vcloud:org:00000000-0000-4000-8000-000000000000', 'id'],
    ['filter=isEnabled==maybe', 'isEnabled'],
  ])('answers 400 for %s naming the problem', async (q, word) => {
    const res = await t.request('GET', `/cloudapi/1.0.0/vdcs?${q}`, { token: w.tokens.sys });
    expect(res.status).toBe(400);
    const body = await json(res);
    expect(body.minorErrorCode).toBe('BAD_REQUEST');
    expect(body.message).toContain(word);
  });

  it('answers 401 without a session', async () => {
    expect((await t.request('GET', '/cloudapi/1.0.0/vdcs')).status).toBe(401);
  });
});
