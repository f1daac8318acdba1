import { describe, it, expect, beforeEach } from 'vitest';
import { makeTestApp, json, type TestApp } from '#test/support/app.ts';
import { seedOrg, seedUser, USER_PASSWORD } from '#test/support/fixtures.ts';

describe('GET /cloudapi/1.0.0/roles', () => {
  let t: TestApp;
  beforeEach(async () => { t = await makeTestApp(); });

  it('lists the three built-in roles by name, read-only', async () => {
    const res = await t.request('GET', '/cloudapi/1.0.0/roles', { token: await t.adminToken() });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body).toMatchObject({ resultTotal: 3, pageCount: 1, page: 1, pageSize: 25 });
    expect(body.values.map((r: any) => r.name)).toEqual(['Organization Administrator', 'System Administrator', 'vApp User']);
    expect(body.values[1]).toEqual({
      id: 'urn:vcloud:role:4f1a2b3c-0001-4000-8000-000000000001', name: 'System Administrator',
      description: 'Manages the whole installation', bundleKey: 'ROLE_SYSTEM_ADMINISTRATOR', readOnly: true,
    });
  });

  it('is readable by a vApp User', async () => {
    const acme = seedOrg(t.db, 'Acme');
    await seedUser(t.db, acme.id, 'alice', 'vApp User');
    const res = await t.request('GET', '/cloudapi/1.0.0/roles', { token: await t.login('alice', USER_PASSWORD) });
    expect((await json(res)).resultTotal).toBe(3);
  });

  it.each([
    ['name==vApp User', ['vApp User']],
    ['name==*admin*', ['Organization Administrator', 'System Administrator']],
    ['user', ['vApp User']],
  ])('filters with %s', async (filter, names) => {
    const res = await t.request('GET', `/cloudapi/1.0.0/roles?filter=${encodeURIComponent(filter)}`, { token: await t.adminToken() });
    expect((await json(res)).values.map((r: any) => r.name)).toEqual(names);
  });

  it.each([['pageSize=0', 'pageSize'], ['pageSize=999', 'pageSize'], ['filter=rights==x', 'rights']])('answers 400 for %s', async (q, word) => {
    const res = await t.request('GET', `/cloudapi/1.0.0/roles?${q}`, { token: await t.adminToken() });
    expect(res.status).toBe(400);
    expect((await json(res)).message).toContain(word);
  });

  it('answers 401 without a session', async () => {
    expect((await t.request('GET', '/cloudapi/1.0.0/roles')).status).toBe(401);
  });
});
