import { describe, it, expect, beforeEach } from 'vitest';
import { randomUUID } from 'node:crypto';
import { makeTestApp, json, type TestApp } from '#test/support/app.ts';
import { seedOrg, seedVdc } from '#test/support/fixtures.ts';
import { adminVdcsPath, vdcWorld, type VdcWorld } from '#test/support/vdc-world.ts';

describe('GET /api/admin/org/:orgId/vdcs', () => {
  let t: TestApp;
  let w: VdcWorld;
  beforeEach(async () => {
    t = await makeTestApp();
    w = await vdcWorld(t);
    for (let i = 0; i < 12; i++) seedVdc(t.db, w.acme.id, `a-${String(i).padStart(2, '0')}`, { isEnabled: i < 4 });
    seedVdc(t.db, w.beta.id, 'b-00');
  });

  const get = (q = '', token = w.tokens.sys, orgId = w.acme.id) => t.request('GET', `${adminVdcsPath(orgId)}${q}`, { token });

  it('lists only the org\'s VDCs, paged', async () => {
    const res = await get('?pageSize=5&page=3');
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body).toMatchObject({ resultTotal: 12, pageCount: 3, page: 3, pageSize: 5 });
    expect(body.values.map((v: any) => v.name)).toEqual(['a-10', 'a-11']);
    expect(body.values[0].org).toEqual({ name: 'Acme', id: `urn:vcloud:org:${w.acme.id}` });
    expect(res.headers.get('link')).toContain('rel="previousPage"');
  });

  it('cannot be widened to another org with a filter', async () => {
    const body = await json(await get(`?filter=org.id==urn:vcloud:org:${w.beta.id}`));
    expect(body.resultTotal).toBe(0);
  });

  it('filters and sorts like the tenant list', async () => {
    const body = await json(await get('?filter=isEnabled==true&sortDesc=name'));
    expect(body.values.map((v: any) => v.name)).toEqual(['a-03', 'a-02', 'a-01', 'a-00']);
  });

  it('answers an empty list for an org without VDCs', async () => {
    const body = await json(await get('', w.tokens.sys, seedOrg(t.db, 'Empty').id));
    expect(body).toMatchObject({ resultTotal: 0, pageCount: 0, values: [] });
  });

  it.each(['orgAdmin', 'user', 'betaUser'] as const)('answers 403 for a %s', async (who) => {
    const res = await get('', w.tokens[who]);
    expect(res.status).toBe(403);
    expect((await json(res)).minorErrorCode).toBe('ACCESS_TO_RESOURCE_IS_FORBIDDEN');
  });

  it('answers 403 for an unknown org', async () => {
    const id = randomUUID();
    const res = await get('', w.tokens.sys, id);
    expect(res.status).toBe(403);
    expect((await json(res)).message).toBe(`Organization urn:vcloud:org:${id} does not exist or you do not have access`);
  });

  it('answers 400 for a malformed org id', async () => {
    const res = await t.request('GET', '/api/admin/org/not-an-id/vdcs', { token: w.tokens.sys });
    expect(res.status).toBe(400);
    expect((await json(res)).message).toContain('orgId');
  });

  it.each([['pageSize=0', 'pageSize'], ['pageSize=999', 'pageSize'], ['filter=color==red', 'color'], ['sortAsc=nope', 'nope']])('answers 400 for %s', async (q, word) => {
    const res = await get(`?${q}`);
    expect(res.status).toBe(400);
    expect((await json(res)).message).toContain(word);
  });

  it('answers 401 without a session', async () => {
    expect((await t.request('GET', adminVdcsPath(w.acme.id))).status).toBe(401);
  });
});
