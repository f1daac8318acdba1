import { describe, it, expect, beforeEach } from 'vitest';
import { makeTestApp, json, type TestApp } from '#test/support/app.ts';
import { seedOrg, seedUser, USER_PASSWORD } from '#test/support/fixtures.ts';

const URL = '/cloudapi/1.0.0/users';
const names = (body: any) => body.values.map((u: any) => u.username);

describe('GET /cloudapi/1.0.0/users', () => {
  let t: TestApp;
  let admin: string;
  let acme: ReturnType<typeof seedOrg>;
  let other: ReturnType<typeof seedOrg>;
  beforeEach(async () => {
    t = await makeTestApp();
    admin = await t.adminToken();
    acme = seedOrg(t.db, 'Acme');
    other = seedOrg(t.db, 'Other');
    await seedUser(t.db, acme.id, 'boss', 'Organization Administrator');
    await seedUser(t.db, acme.id, 'alice', 'vApp User');
    await seedUser(t.db, acme.id, 'bob', 'vApp User', { enabled: false });
    await seedUser(t.db, other.id, 'olga', 'vApp User');
  });

  it('lists every user for a System Administrator, by username, with orgs and roles', async () => {
    const res = await t.request('GET', URL, { token: admin });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body).toMatchObject({ resultTotal: 5, pageCount: 1, page: 1, pageSize: 25 });
    expect(names(body)).toEqual(['admin', 'alice', 'bob', 'boss', 'olga']);
    const boss = body.values.find((u: any) => u.username === 'boss');
    expect(boss).toMatchObject({ orgEntityRef: { name: 'Acme', id: `urn:vcloud:org:${acme.id}` }, roleEntityRefs: [{ name: 'Organization Administrator' }], roleEntityRef: { name: 'Organization Administrator' }, enabled: true });
    expect(JSON.stringify(body)).not.toMatch(/password/i);
  });

  it.each([
    ['username==al*', ['alice']],
    ['name==BOB', []],
    ['name==bo*', ['bob', 'boss']],
    ['enabled==false', ['bob']],
    ['orgEntityRef.id==ORG', ['olga']],
    ['enabled==true;orgEntityRef.id==ACME', ['alice', 'boss']],
    ['LI', ['alice']],
  ])('filters with %s', async (filter, expected) => {
    const f = filter.replace('ORG', `urn:vcloud:org:${other.id}`).replace('ACME', `urn:vcloud:org:${acme.id}`);
    const body = await json(await t.request('GET', `${URL}?filter=${encodeURIComponent(f)}`, { token: admin }));
    expect(names(body)).toEqual(expected);
  });

  it('pages and sorts', async () => {
    const res = await t.request('GET', `${URL}?pageSize=2&page=2&sortDesc=username`, { token: admin });
    const body = await json(res);
    expect(body).toMatchObject({ resultTotal: 5, pageCount: 3, page: 2 });
    expect(names(body)).toEqual(['bob', 'alice']);
    expect(res.headers.get('link')).toContain('rel="nextPage"');
  });

  it("shows an Organization Administrator their org's users only", async () => {
    const tok = await t.login('boss', USER_PASSWORD);
    expect(names(await json(await t.request('GET', URL, { token: tok })))).toEqual(['alice', 'bob', 'boss']);
  });

  it('shows a vApp User only themselves', async () => {
    const tok = await t.login('alice', USER_PASSWORD);
    const body = await json(await t.request('GET', URL, { token: tok }));
    expect(body.resultTotal).toBe(1);
    expect(names(body)).toEqual(['alice']);
  });

  it("narrows to the org of a System Administrator's tenant context", async () => {
    const body = await json(await t.request('GET', URL, { token: admin, headers: { 'X-VMWARE-VCLOUD-TENANT-CONTEXT': `urn:vcloud:org:${other.id}` } }));
    expect(names(body)).toEqual(['olga']);
  });

  it.each([
    ['pageSize=0', 'pageSize'], ['pageSize=999', 'pageSize'], ['page=x', 'page'],
    ['filter=password==x', 'password'], ['filter=orgEntityRef.id==nope', 'orgEntityRef.id'], ['filter=enabled==maybe', 'enabled'],
    ['sortAsc=passwordHash', 'passwordHash'],
  ])('answers 400 for %s naming the problem', async (q, word) => {
    const res = await t.request('GET', `${URL}?${q}`, { token: admin });
    expect(res.status).toBe(400);
    expect((await json(res)).message).toContain(word);
  });

  it('answers 401 without a session', async () => {
    expect((await t.request('GET', URL)).status).toBe(401);
  });
});
