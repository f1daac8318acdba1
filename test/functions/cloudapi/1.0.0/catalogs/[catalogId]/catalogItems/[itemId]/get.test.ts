import { describe, it, expect, beforeEach } from 'vitest';
import { makeTestApp, json, type TestApp } from '#test/support/app.ts';
import { seedCatalog, seedOrg, seedUser, USER_PASSWORD } from '#test/support/fixtures.ts';
import { fakeCluster, fakeTemplate, FakeTemplateSource } from '#test/support/templates.ts';
import { catalogItemId } from '#lib/catalog/items.ts';

describe('GET /cloudapi/1.0.0/catalogs/:catalogId/catalogItems/:itemId', () => {
  let t: TestApp;
  let admin: string;
  let acme: ReturnType<typeof seedOrg>;
  let beta: ReturnType<typeof seedOrg>;
  let cat: ReturnType<typeof seedCatalog>;
  let source: FakeTemplateSource;
  const itemUrn = (catalogId: string, name: string, namespace = 'openshift') => `urn:vcloud:catalogitem:${catalogItemId(catalogId, { namespace, name })}`;
  const path = (catalogId: string, item: string) =>
    `/cloudapi/1.0.0/catalogs/${encodeURIComponent(`urn:vcloud:catalog:${catalogId}`)}/catalogItems/${encodeURIComponent(item)}`;
  beforeEach(async () => {
    source = new FakeTemplateSource([fakeTemplate('fedora-small'), fakeTemplate('fedora-small', { namespace: 'extra', osType: 'fedora40' }), fakeTemplate('rhel6', { deprecated: true })]);
    t = await makeTestApp({ k8s: fakeCluster(source) });
    admin = await t.adminToken();
    acme = seedOrg(t.db, 'Acme');
    beta = seedOrg(t.db, 'Beta');
    await seedUser(t.db, acme.id, 'alice', 'vApp User');
    await seedUser(t.db, beta.id, 'bert', 'Organization Administrator');
    cat = seedCatalog(t.db, acme.id, 'Golden');
  });

  it('returns the item the list returned, by its stable id', async () => {
    const listed = (await json(await t.request('GET', `/cloudapi/1.0.0/catalogs/urn:vcloud:catalog:${cat.id}/catalogItems?filter=template.namespace==extra`, { token: admin }))).values[0];
    const res = await t.request('GET', path(cat.id, listed.id), { token: admin });
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual(listed);
    expect(listed).toMatchObject({ id: itemUrn(cat.id, 'fedora-small', 'extra'), osType: 'fedora40', template: { namespace: 'extra', name: 'fedora-small' } });
  });

  it('accepts a bare uuid and keeps the id across template updates', async () => {
    const id = catalogItemId(cat.id, { namespace: 'openshift', name: 'fedora-small' });
    source.set([fakeTemplate('fedora-small', { description: 'updated', resourceVersion: '43' })]);
    const body = await json(await t.request('GET', path(cat.id, id), { token: admin }));
    expect(body).toMatchObject({ id: `urn:vcloud:catalogitem:${id}`, description: 'updated', versionNumber: 43 });
  });

  it('answers 403 once the template is gone', async () => {
    const id = itemUrn(cat.id, 'fedora-small');
    source.set([]);
    const res = await t.request('GET', path(cat.id, id), { token: admin });
    expect(res.status).toBe(403);
    expect((await json(res)).message).toBe(`Catalog item ${id} does not exist or you do not have access`);
  });

  it('shows deprecated templates to system administrators only', async () => {
    const id = itemUrn(cat.id, 'rhel6');
    expect((await t.request('GET', path(cat.id, id), { token: admin })).status).toBe(200);
    const res = await t.request('GET', path(cat.id, id), { token: await t.login('alice', USER_PASSWORD) });
    expect(res.status).toBe(403);
    expect((await json(res)).minorErrorCode).toBe('ACCESS_TO_RESOURCE_IS_FORBIDDEN');
  });

  it('answers 403 for an item id of another catalog', async () => {
    const other = seedCatalog(t.db, acme.id, 'Other');
    expect((await t.request('GET', path(cat.id, itemUrn(other.id, 'fedora-small')), { token: admin })).status).toBe(403);
  });

  it('answers 403 for an item of another org\'s unpublished catalog exactly like a missing catalog', async () => {
    const tok = await t.login('bert', USER_PASSWORD);
    const a = await t.request('GET', path(cat.id, itemUrn(cat.id, 'fedora-small')), { token: tok });
    expect(a.status).toBe(403);
    expect((await json(a)).message).toBe(`Catalog urn:vcloud:catalog:${cat.id} does not exist or you do not have access`);
    const pub = seedCatalog(t.db, acme.id, 'Shared', { isPublished: true });
    expect((await t.request('GET', path(pub.id, itemUrn(pub.id, 'fedora-small')), { token: tok })).status).toBe(200);
  });

  it('answers 403 when no cluster is configured', async () => {
    const bare = await makeTestApp();
    const c = seedCatalog(bare.db, seedOrg(bare.db, 'Solo').id, 'c');
    const res = await bare.request('GET', path(c.id, itemUrn(c.id, 'fedora-small')), { token: await bare.adminToken() });
    expect(res.status).toBe(403);
    expect((await json(res)).minorErrorCode).toBe('ACCESS_TO_RESOURCE_IS_FORBIDDEN');
  });

  it.each([['fedora-small', 'itemId'], ['urn:vcloud:catalog:00000000-0000-4000-8000-000000000000', 'itemId']])('answers 400 for the malformed item id %s', async (item, word) => {
    const res = await t.request('GET', path(cat.id, item), { token: admin });
    expect(res.status).toBe(400);
    expect((await json(res)).message).toContain(word);
  });

  it('answers 400 for a malformed catalog id and 401 without a session', async () => {
    const res = await t.request('GET', `/cloudapi/1.0.0/catalogs/nope/catalogItems/${itemUrn(cat.id, 'fedora-small')}`, { token: admin });
    expect(res.status).toBe(400);
    expect((await json(res)).message).toContain('catalogId');
    expect((await t.request('GET', path(cat.id, itemUrn(cat.id, 'fedora-small')))).status).toBe(401);
  });
});
