import { beforeAll, describe, expect, it } from 'vitest';
import { makeTestApp, json, type TestApp } from '#test/support/app.ts';
import { vappSeed } from '#test/support/vapp-seed.ts';

let t: TestApp;
let s: Awaited<ReturnType<typeof vappSeed>>;
beforeAll(async () => {
  t = await makeTestApp();
  s = await vappSeed(t);
});
const names = async (token: string, q = '') => (await json(await t.request('GET', `/cloudapi/1.0.0/vms${q}`, { token }))).values.map((v: any) => v.name);

describe('GET /cloudapi/1.0.0/vms', () => {
  it('lists the VMs the caller may see', async () => {
    expect(await names(await t.adminToken())).toEqual(['beta-1', 'web-1', 'web-2']);
    expect(await names(s.tokens.orgAdmin)).toEqual(['web-1', 'web-2']);
    expect(await names(s.tokens.user)).toEqual(['web-1', 'web-2']);
    expect(await names(s.tokens.betaUser)).toEqual(['beta-1']);
  });

  it('hides VMs of another user\'s vApps from a vApp User', async () => {
    const other = await json(await t.request('GET', '/cloudapi/1.0.0/vms', { token: s.tokens.user }));
    expect(other.values.every((v: any) => v.vapp.name === 'web')).toBe(true);
  });

  it('filters by name, status, vapp.id, vdc.id and id', async () => {
    const sys = await t.adminToken();
    expect(await names(sys, '?filter=name==*-2')).toEqual(['web-2']);
    expect(await names(sys, '?filter=status==FAILED')).toEqual(['beta-1']);
    expect(await names(sys, `?filter=vapp.id==urn:vcloud:vapp:${s.web.id}`)).toEqual(['web-1', 'web-2']);
    expect(await names(sys, `?filter=vdc.id==urn:vcloud:vdc:${s.betaVdc.id}`)).toEqual(['beta-1']);
    expect(await names(sys, `?filter=id==urn:vcloud:vm:${s.web1.id}`)).toEqual(['web-1']);
  });

  it('keeps the failure reason', async () => {
    const res = await json(await t.request('GET', '/cloudapi/1.0.0/vms', { token: s.tokens.betaUser }));
    expect(res.values[0]).toMatchObject({ status: 'FAILED', statusMessage: 'ErrImagePull', hardware: { numCpus: null, numCoresPerSocket: null, memoryMB: null }, guestOs: null });
  });

  it('answers 400 for bad paging and filters', async () => {
    for (const q of ['?pageSize=0', '?pageSize=999', '?filter=nope==1', '?filter=vapp.id==x']) {
      expect((await t.request('GET', `/cloudapi/1.0.0/vms${q}`, { token: s.tokens.user })).status, q).toBe(400);
    }
  });
});
