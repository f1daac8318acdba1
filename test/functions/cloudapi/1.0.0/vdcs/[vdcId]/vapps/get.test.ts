import { beforeAll, describe, expect, it } from 'vitest';
import { makeTestApp, json, type TestApp } from '#test/support/app.ts';
import { vappSeed } from '#test/support/vapp-seed.ts';

let t: TestApp;
let s: Awaited<ReturnType<typeof vappSeed>>;
beforeAll(async () => {
  t = await makeTestApp();
  s = await vappSeed(t);
});
const path = (vdcId: string, q = '') => `/cloudapi/1.0.0/vdcs/${encodeURIComponent(`urn:vcloud:vdc:${vdcId}`)}/vapps${q}`;

describe('GET /cloudapi/1.0.0/vdcs/:vdcId/vapps', () => {
  it('lists the VDC\'s vApps the caller may see', async () => {
    const all = await json(await t.request('GET', path(s.dev.id), { token: s.tokens.orgAdmin }));
    expect(all.values.map((v: any) => v.name)).toEqual(['web']);
    expect(all.resultTotal).toBe(1);
    const mine = await json(await t.request('GET', path(s.test.id), { token: s.tokens.user }));
    expect(mine).toMatchObject({ resultTotal: 0, pageCount: 0, values: [] });
  });

  it('filters within the VDC', async () => {
    const res = await json(await t.request('GET', path(s.dev.id, '?filter=status==POWERED_OFF'), { token: s.tokens.orgAdmin }));
    expect(res.values).toEqual([]);
  });

  it('answers 403 for another org\'s VDC and 400 for a malformed id or filter', async () => {
    expect((await t.request('GET', path(s.betaVdc.id), { token: s.tokens.user })).status).toBe(403);
    expect((await t.request('GET', '/cloudapi/1.0.0/vdcs/nope/vapps', { token: s.tokens.user })).status).toBe(400);
    expect((await t.request('GET', path(s.dev.id, '?filter=bogus==1'), { token: s.tokens.user })).status).toBe(400);
  });
});
