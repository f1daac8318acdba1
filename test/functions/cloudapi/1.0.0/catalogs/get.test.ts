import { describe, it, expect, beforeEach } from 'vitest';
import { makeTestApp, json, type TestApp } from '#test/support/app.ts';
import { seedCatalog, seedOrg, seedUser, USER_PASSWORD } from '#test/support/fixtures.ts';
import { fakeCluster, fakeTemplate, FakeTemplateSource } from '#test/support/templates.ts';

describe('GET /cloudapi/1.0.0/catalogs', () => {
  let t: TestApp;
  let admin: string;
  let acme: ReturnType<typeof seedOrg>;
  let beta: ReturnType<typeof seedOrg>;
  const source = new FakeTemplateSource([fakeTemplate('fedora'), fakeTemplate('centos'), fakeTemplate('old', { deprecated: true })]);
  beforeEach(async () => {
    t = await makeTestApp({ k8s: fakeCluster(source) });
    admin = await t.adminToken();
    acme = seedOrg(t.db, 'Acme');
    beta = seedOrg(t.db, 'Beta');
    await seedUser(t.db, acme.id, 'alice', 'vApp User');
    await seedUser(t.db, acme.id, 'olga', 'Organization Administrator');
    seedCatalog(t.db, acme.id, 'acme-private');
    seedCatalog(t.db, acme.id, 'acme-public', { isPublished: true });
    seedCatalog(t.db, beta.id, 'beta-private');
    seedCatalog(t.db, beta.id, 'beta-public', { isPublished: true });
  });

  const list = async (token: string, q = '', headers: Record<string, string> = {}) => {
    const res = await t.request('GET', `/cloudapi/1.0.0/catalogs${q}`, { token, headers });
    expect(res.status).toBe(200);
    return json(res);
  };
  const names = (body: any) => body.values.map((x: any) => x.name);

  it('lists every catalog for a system administrator, by name', async () => {
    const body = await list(admin);
    expect(body).toMatchObject({ resultTotal: 4, pageCount: 1, page: 1, pageSize: 25, associations: [] });
    expect(names(body)).toEqual(['acme-private', 'acme-public', 'beta-private', 'beta-public']);
  });

  it('renders the documented catalog fields', async () => {
    const cat = seedCatalog(t.db, acme.id, 'zz', { description: 'd', createdAt: Date.UTC(2026, 0, 1), updatedAt: Date.UTC(2026, 0, 2), version: 3 });
    const body = await list(admin, '?filter=name==zz');
    expect(body.values).toEqual([{
      id: `urn:vcloud:catalog:${cat.id}`, name: 'zz', description: 'd', org: { name: 'Acme', id: `urn:vcloud:org:${acme.id}` },
      owner: null, isPublished: false, isSubscribed: false, isLocal: true, numberOfVAppTemplates: 3, numberOfMedia: 0,
      creationDate: '2026-01-01T00:00:00.000Z', lastModifiedDate: '2026-01-02T00:00:00.000Z', version: 3,
    }]);
  });

  it('shows tenants their own org\'s catalogs and published ones, counting only offered templates', async () => {
    for (const user of ['alice', 'olga']) {
      const body = await list(await t.login(user, USER_PASSWORD));
      expect(names(body)).toEqual(['acme-private', 'acme-public', 'beta-public']);
      expect(body.values[0].numberOfVAppTemplates).toBe(2);
    }
  });

  it('narrows a system administrator to the tenant context org', async () => {
    const body = await list(admin, '', { 'x-vmware-vcloud-tenant-context': `urn:vcloud:org:${beta.id}` });
    expect(names(body)).toEqual(['beta-private', 'beta-public']);
  });

  it('filters by name, org.id, isPublished and id', async () => {
    expect(names(await list(admin, '?filter=name==*PUBLIC'))).toEqual(['acme-public', 'beta-public']);
    expect(names(await list(admin, `?filter=${encodeURIComponent(`org.id==urn:vcloud:org:${beta.id}`)}`))).toEqual(['beta-private', 'beta-public']);
    expect(names(await list(admin, '?filter=isPublished==false'))).toEqual(['acme-private', 'beta-private']);
    const one = (await list(admin)).values[2];
    expect(names(await list(admin, `?filter=${encodeURIComponent(`id==${one.id}`)}`))).toEqual(['beta-private']);
    expect(names(await list(admin, '?filter=beta'))).toEqual(['beta-private', 'beta-public']);
  });

  it('combines the tenant scope with an OR filter without leaking', async () => {
    const tok = await t.login('alice', USER_PASSWORD);
    expect(names(await list(tok, '?filter=name==beta-private,name==acme-private'))).toEqual(['acme-private']);
  });

  it('sorts and pages', async () => {
    const body = await list(admin, '?sortDesc=name&pageSize=3&page=2');
    expect(body).toMatchObject({ resultTotal: 4, pageCount: 2, page: 2, pageSize: 3 });
    expect(names(body)).toEqual(['acme-private']);
    expect((await list(admin, '?page=5')).values).toEqual([]);
  });

  it('counts no templates without a cluster', async () => {
    const bare = await makeTestApp();
    seedCatalog(bare.db, seedOrg(bare.db, 'Solo').id, 'c');
    const body = await json(await bare.request('GET', '/cloudapi/1.0.0/catalogs', { token: await bare.adminToken() }));
    expect(body.values[0].numberOfVAppTemplates).toBe(0);
  });

  it.each([
    ['pageSize=0', 'pageSize'], ['pageSize=999', 'pageSize'], ['page=-1', 'page'],
    ['filter=color==red', 'color'], ['filter=name==(', 'filter'], ['sortAsc=color', 'color'],
    ['filter=isPublished==maybe', 'isPublished'], ['filter=org.id==acme', 'org.id'],
  ])('answers 400 for %s naming the problem', async (q, word) => {
    const res = await t.request('GET', `/cloudapi/1.0.0/catalogs?${q}`, { token: admin });
    expect(res.status).toBe(400);
    const body = await json(res);
    expect(body.minorErrorCode).toBe('BAD_REQUEST');
    expect(body.message).toContain(word);
  });

  it('answers 401 without a session', async () => {
    expect((await t.request('GET', '/cloudapi/1.0.0/catalogs')).status).toBe(401);
  });
});
