import { describe, it, expect, beforeEach } from 'vitest';
import { makeTestApp, json, type TestApp } from '#test/support/app.ts';
import { seedCatalog, seedOrg, seedUser, USER_PASSWORD } from '#test/support/fixtures.ts';

describe('DELETE /cloudapi/1.0.0/catalogs/:catalogId', () => {
  let t: TestApp;
  let admin: string;
  let acme: ReturnType<typeof seedOrg>;
  let beta: ReturnType<typeof seedOrg>;
  const path = (id: string) => `/cloudapi/1.0.0/catalogs/${encodeURIComponent(`urn:vcloud:catalog:${id}`)}`;
  beforeEach(async () => {
    t = await makeTestApp();
    admin = await t.adminToken();
    acme = seedOrg(t.db, 'Acme');
    beta = seedOrg(t.db, 'Beta');
    await seedUser(t.db, acme.id, 'olga', 'Organization Administrator');
    await seedUser(t.db, acme.id, 'alice', 'vApp User');
  });

  it('deletes with 204, after which the catalog is gone and its name free', async () => {
    const cat = seedCatalog(t.db, acme.id, 'Golden');
    const res = await t.request('DELETE', path(cat.id), { token: admin });
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
    expect((await t.request('GET', path(cat.id), { token: admin })).status).toBe(403);
    const again = await t.request('POST', '/cloudapi/1.0.0/catalogs', { token: admin, body: { name: 'golden', orgId: acme.id } });
    expect(again.status).toBe(201);
  });

  it('lets an org admin delete their org\'s catalogs only', async () => {
    const tok = await t.login('olga', USER_PASSWORD);
    expect((await t.request('DELETE', path(seedCatalog(t.db, acme.id, 'mine').id), { token: tok })).status).toBe(204);
    const pub = seedCatalog(t.db, beta.id, 'shared', { isPublished: true });
    const res = await t.request('DELETE', path(pub.id), { token: tok });
    expect(res.status).toBe(403);
    expect((await json(res)).message).toContain('may not delete');
    const secret = seedCatalog(t.db, beta.id, 'secret');
    const hidden = await t.request('DELETE', path(secret.id), { token: tok });
    expect(hidden.status).toBe(403);
    expect((await json(hidden)).message).toBe(`Catalog urn:vcloud:catalog:${secret.id} does not exist or you do not have access`);
    expect((await t.request('GET', path(pub.id), { token: admin })).status).toBe(200);
  });

  it('answers 403 to a vApp User, even for their own org\'s catalog', async () => {
    const cat = seedCatalog(t.db, acme.id, 'Golden');
    const res = await t.request('DELETE', path(cat.id), { token: await t.login('alice', USER_PASSWORD) });
    expect(res.status).toBe(403);
    expect((await t.request('GET', path(cat.id), { token: admin })).status).toBe(200);
  });

  it('answers 403 for a missing catalog and 400 for a malformed id', async () => {
    expect((await t.request('DELETE', path('00000000-0000-4000-8000-000000000000'), { token: admin })).status).toBe(403);
    const res = await t.request('DELETE', '/cloudapi/1.0.0/catalogs/urn%3Avcloud%3Acatalog%3A12', { token: admin });
    expect(res.status).toBe(400);
    expect((await json(res)).message).toContain('catalogId');
  });

  it('answers 401 without a session', async () => {
    expect((await t.request('DELETE', path(seedCatalog(t.db, acme.id, 'x').id))).status).toBe(401);
  });
});
