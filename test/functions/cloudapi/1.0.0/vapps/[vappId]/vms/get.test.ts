import { beforeAll, describe, expect, it } from 'vitest';
import { makeTestApp, json, type TestApp } from '#test/support/app.ts';
import { vappSeed } from '#test/support/vapp-seed.ts';
import { vappPath } from '#test/support/vapp-world.ts';

let t: TestApp;
let s: Awaited<ReturnType<typeof vappSeed>>;
beforeAll(async () => {
  t = await makeTestApp();
  s = await vappSeed(t);
});

describe('GET /cloudapi/1.0.0/vapps/:vappId/vms', () => {
  it('lists the vApp\'s VMs, paged and filtered', async () => {
    const all = await json(await t.request('GET', `${vappPath(s.web.id)}/vms`, { token: s.tokens.user }));
    expect(all.values.map((v: any) => v.name)).toEqual(['web-1', 'web-2']);
    const page = await json(await t.request('GET', `${vappPath(s.web.id)}/vms?pageSize=1&page=2`, { token: s.tokens.user }));
    expect(page).toMatchObject({ resultTotal: 2, pageCount: 2 });
    expect(page.values.map((v: any) => v.name)).toEqual(['web-2']);
    const off = await json(await t.request('GET', `${vappPath(s.web.id)}/vms?filter=status==POWERED_OFF`, { token: s.tokens.user }));
    expect(off.values.map((v: any) => v.name)).toEqual(['web-2']);
  });

  it('answers 403 for a vApp the caller may not see and 400 for bad input', async () => {
    expect((await t.request('GET', `${vappPath(s.web.id)}/vms`, { token: s.tokens.betaUser })).status).toBe(403);
    expect((await t.request('GET', `${vappPath(s.db.id)}/vms`, { token: s.tokens.user })).status).toBe(403);
    expect((await t.request('GET', '/cloudapi/1.0.0/vapps/x/vms', { token: s.tokens.user })).status).toBe(400);
    expect((await t.request('GET', `${vappPath(s.web.id)}/vms?pageSize=0`, { token: s.tokens.user })).status).toBe(400);
  });
});
