import { describe, it, expect, beforeEach } from 'vitest';
import { makeTestApp, json, type TestApp } from '#test/support/app.ts';
import { seedCatalog, seedOrg, seedUser, USER_PASSWORD } from '#test/support/fixtures.ts';
import { fakeCluster, fakeTemplate, FakeTemplateSource } from '#test/support/templates.ts';

describe('GET /cloudapi/1.0.0/catalogs/:catalogId', () => {
  let t: TestApp;
  let admin: string;
  let acme: ReturnType<typeof seedOrg>;
  let beta: ReturnType<typeof seedOrg>;
  let owner: { id: string };
  const path = (id: string) => `/cloudapi/1.0.0/catalogs/${encodeURIComponent(`urn:vcloud:catalog:${id}`)}`;
  beforeEach(async () => {
    t = await makeTestApp({ k8s: fakeCluster(new FakeTemplateSource([fakeTemplate('a'), fakeTemplate('b', { deprecated: true })])) });
    admin = await t.adminToken();
    acme = seedOrg(t.db, 'Acme');
    beta = seedOrg(t.db, 'Beta');
    owner = await seedUser(t.db, acme.id, 'olga', 'Organization Administrator');
    await seedUser(t.db, acme.id, 'alice', 'vApp User');
  });

  it('answers its version field as a strong ETag', async () => {
    const cat = seedCatalog(t.db, acme.id, 'Golden', { version: 4 });
    const res = await t.request('GET', path(cat.id), { token: admin });
    expect(res.headers.get('etag')).toBe('"4"');
    expect((await json(res)).version).toBe(4);
  });

  it('returns the catalog with its references and counts', async () => {
    const cat = seedCatalog(t.db, acme.id, 'Golden', { ownerId: owner.id, description: 'd', isPublished: true });
    const res = await t.request('GET', path(cat.id), { token: admin });
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({
      id: `urn:vcloud:catalog:${cat.id}`, name: 'Golden', description: 'd',
      org: { name: 'Acme', id: `urn:vcloud:org:${acme.id}` }, owner: { name: 'olga', id: `urn:vcloud:user:${owner.id}` },
      isPublished: true, isSubscribed: false, isLocal: true, numberOfVAppTemplates: 2, numberOfMedia: 0, version: 1,
    });
    const tenant = await json(await t.request('GET', path(cat.id), { token: await t.login('alice', USER_PASSWORD) }));
    expect(tenant.numberOfVAppTemplates).toBe(1); // the deprecated template is for system administrators only
  });

  it('lets tenants read their own org\'s and published catalogs', async () => {
    const tok = await t.login('alice', USER_PASSWORD);
    expect((await t.request('GET', path(seedCatalog(t.db, acme.id, 'own').id), { token: tok })).status).toBe(200);
    expect((await t.request('GET', path(seedCatalog(t.db, beta.id, 'pub', { isPublished: true }).id), { token: tok })).status).toBe(200);
  });

  it('answers 403 for another org\'s unpublished catalog exactly like a missing one', async () => {
    const tok = await t.login('olga', USER_PASSWORD);
    const hidden = seedCatalog(t.db, beta.id, 'secret');
    const a = await t.request('GET', path(hidden.id), { token: tok });
    const b = await t.request('GET', path('00000000-0000-4000-8000-000000000000'), { token: tok });
    expect(a.status).toBe(403);
    expect(b.status).toBe(403);
    expect((await json(a)).message).toBe(`Catalog urn:vcloud:catalog:${hidden.id} does not exist or you do not have access`);
    expect((await json(b)).minorErrorCode).toBe('ACCESS_TO_RESOURCE_IS_FORBIDDEN');
  });

  it.each(['nope', 'urn:vcloud:org:00000000-0000-4000-8000-000000000000'])('answers 400 for the malformed id %s', async (id) => {
    const res = await t.request('GET', `/cloudapi/1.0.0/catalogs/${encodeURIComponent(id)}`, { token: admin });
    expect(res.status).toBe(400);
    expect((await json(res)).message).toContain('catalogId');
  });

  it('answers 401 without a session', async () => {
    expect((await t.request('GET', path(seedCatalog(t.db, acme.id, 'x').id))).status).toBe(401);
  });
});
