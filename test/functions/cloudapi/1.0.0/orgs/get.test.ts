import { describe, it, expect, beforeEach } from 'vitest';
import { makeTestApp, json, type TestApp } from '#test/support/app.ts';
import { seedOrg, seedUser, USER_PASSWORD } from '#test/support/fixtures.ts';

describe('GET /cloudapi/1.0.0/orgs', () => {
  let t: TestApp;
  let admin: string;
  beforeEach(async () => {
    t = await makeTestApp();
    admin = await t.adminToken();
    for (let i = 0; i < 30; i++) seedOrg(t.db, `org-${String(i).padStart(2, '0')}`, { isEnabled: i % 2 === 0 });
  });

  it('pages with the VCD envelope and a Link header that repeats the query', async () => {
    const res = await t.request('GET', '/cloudapi/1.0.0/orgs?pageSize=10&page=2&filter=name%3D%3Dorg-*', { token: admin });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body).toMatchObject({ resultTotal: 30, pageCount: 3, page: 2, pageSize: 10 });
    expect(body.values.map((o: any) => o.name)).toEqual(Array.from({ length: 10 }, (_, i) => `org-${10 + i}`));
    const link = res.headers.get('link')!;
    expect(link).toContain('rel="nextPage"');
    expect(link).toContain('rel="previousPage"');
    expect(link).toMatch(/filter=name%3D%3Dorg-\*|filter=name%3D%3Dorg-%2A/);
  });

  it('filters with FIQL and sorts', async () => {
    const res = await t.request('GET', '/cloudapi/1.0.0/orgs?filter=isEnabled==false;name==org-0*&sortDesc=name', { token: admin });
    const body = await json(res);
    expect(body.values.map((o: any) => o.name)).toEqual(['org-09', 'org-07', 'org-05', 'org-03', 'org-01']);
  });

  it('treats a filter without an operator as a name search', async () => {
    const body = await json(await t.request('GET', '/cloudapi/1.0.0/orgs?filter=G-2', { token: admin }));
    expect(body.resultTotal).toBe(10);
  });

  it('returns an empty page past the end', async () => {
    const body = await json(await t.request('GET', '/cloudapi/1.0.0/orgs?page=99', { token: admin }));
    expect(body.values).toEqual([]);
    expect(body.resultTotal).toBe(31);
  });

  it.each([
    ['pageSize=0', 'pageSize'], ['pageSize=999', 'pageSize'], ['page=0', 'page'], ['page=abc', 'page'],
    ['filter=color==red', 'color'], ['filter=name==(', 'filter'], ['sortAsc=color', 'color'],
  ])('answers 400 for %s naming the problem', async (q, word) => {
    const res = await t.request('GET', `/cloudapi/1.0.0/orgs?${q}`, { token: admin });
    expect(res.status).toBe(400);
    const body = await json(res);
    expect(body.minorErrorCode).toBe('BAD_REQUEST');
    expect(body.message).toContain(word);
  });

  it('shows a tenant user only their own org', async () => {
    const acme = seedOrg(t.db, 'Acme');
    await seedUser(t.db, acme.id, 'alice', 'vApp User');
    const tok = await t.login('alice', USER_PASSWORD, 'Acme');
    const body = await json(await t.request('GET', '/cloudapi/1.0.0/orgs', { token: tok }));
    expect(body.values.map((o: any) => o.name)).toEqual(['Acme']);
  });

  it('answers 401 without a session', async () => {
    expect((await t.request('GET', '/cloudapi/1.0.0/orgs')).status).toBe(401);
  });
});
