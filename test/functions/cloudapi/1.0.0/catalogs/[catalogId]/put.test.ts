import { describe, it, expect, beforeEach } from 'vitest';
import { makeTestApp, json, type TestApp } from '#test/support/app.ts';
import { seedCatalog, seedOrg, seedUser, USER_PASSWORD } from '#test/support/fixtures.ts';
import { itKeepsTheEtagContract } from '#test/support/etag-contract.ts';

describe('PUT /cloudapi/1.0.0/catalogs/:catalogId', () => {
  let t: TestApp;
  let admin: string;
  let acme: ReturnType<typeof seedOrg>;
  let beta: ReturnType<typeof seedOrg>;
  let cat: ReturnType<typeof seedCatalog>;
  const path = (id: string) => `/cloudapi/1.0.0/catalogs/${encodeURIComponent(`urn:vcloud:catalog:${id}`)}`;
  const put = (id: string, body: unknown, token = admin) => t.request('PUT', path(id), { token, body });
  beforeEach(async () => {
    t = await makeTestApp();
    admin = await t.adminToken();
    acme = seedOrg(t.db, 'Acme');
    beta = seedOrg(t.db, 'Beta');
    await seedUser(t.db, acme.id, 'olga', 'Organization Administrator');
    await seedUser(t.db, acme.id, 'alice', 'vApp User');
    cat = seedCatalog(t.db, acme.id, 'Golden', { description: 'old', createdAt: 1000, updatedAt: 1000 });
  });

  itKeepsTheEtagContract({ t: () => t, token: () => admin, path: () => path(cat.id), method: 'PUT', body: (n) => ({ name: 'Golden', description: `described ${n}` }) });

  it('renames, describes and publishes, bumping version and lastModifiedDate', async () => {
    const res = await put(cat.id, { name: 'Platinum', description: 'new', isPublished: true });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body).toMatchObject({ id: `urn:vcloud:catalog:${cat.id}`, name: 'Platinum', description: 'new', isPublished: true, version: 2 });
    expect(body.creationDate).toBe('1970-01-01T00:00:01.000Z');
    expect(body.lastModifiedDate).not.toBe(body.creationDate);
    expect((await json(await put(cat.id, { name: 'Platinum' }))).version).toBe(3);
  });

  it('keeps fields the body leaves out', async () => {
    const body = await json(await put(cat.id, { name: 'Golden' }));
    expect(body).toMatchObject({ description: 'old', isPublished: false });
  });

  it('answers 400 DUPLICATE_NAME for another catalog\'s name in the org, and allows a case change of its own', async () => {
    seedCatalog(t.db, acme.id, 'Silver');
    const res = await put(cat.id, { name: 'SILVER' });
    expect(res.status).toBe(400);
    expect((await json(res)).minorErrorCode).toBe('DUPLICATE_NAME');
    expect((await put(cat.id, { name: 'GOLDEN' })).status).toBe(200);
  });

  it('refuses to move a catalog to another org but accepts its own org', async () => {
    const res = await put(cat.id, { name: 'Golden', orgId: beta.id });
    expect(res.status).toBe(400);
    expect((await json(res)).message).toContain('orgId');
    expect((await put(cat.id, { name: 'Golden', org: { id: `urn:vcloud:org:${acme.id}` } })).status).toBe(200);
  });

  it('lets an org admin update their org\'s catalogs but not another org\'s published one', async () => {
    const tok = await t.login('olga', USER_PASSWORD);
    expect((await put(cat.id, { name: 'Mine' }, tok)).status).toBe(200);
    const pub = seedCatalog(t.db, beta.id, 'Shared', { isPublished: true });
    const res = await put(pub.id, { name: 'Stolen' }, tok);
    expect(res.status).toBe(403);
    expect((await json(res)).message).toContain('may not update');
    const secret = seedCatalog(t.db, beta.id, 'Secret');
    expect((await json(await put(secret.id, { name: 'x' }, tok))).message).toContain('does not exist or you do not have access');
  });

  it('answers 403 to a vApp User', async () => {
    const res = await put(cat.id, { name: 'x' }, await t.login('alice', USER_PASSWORD));
    expect(res.status).toBe(403);
    expect((await json(res)).minorErrorCode).toBe('ACCESS_TO_RESOURCE_IS_FORBIDDEN');
  });

  it('answers 403 for a missing catalog and 400 for a malformed id', async () => {
    expect((await put('00000000-0000-4000-8000-000000000000', { name: 'x' })).status).toBe(403);
    const res = await t.request('PUT', '/cloudapi/1.0.0/catalogs/golden', { token: admin, body: { name: 'x' } });
    expect(res.status).toBe(400);
    expect((await json(res)).message).toContain('catalogId');
  });

  it.each([
    [{}, 'name'], [{ name: '' }, 'name'], [{ name: ['a'] }, 'name'], [{ name: 'n'.repeat(129) }, 'name'],
    [{ name: 'x', description: false }, 'description'], [{ name: 'x', isPublished: 1 }, 'isPublished'], [{ name: 'x', orgId: 'beta' }, 'orgId'],
  ])('answers 400 for %j naming the field', async (body, field) => {
    const res = await put(cat.id, body);
    expect(res.status).toBe(400);
    expect((await json(res)).message).toContain(field);
  });

  it('answers 400 for broken JSON and for an empty body (name is required)', async () => {
    expect((await t.request('PUT', path(cat.id), { token: admin, raw: '{', headers: { 'content-type': 'application/json' } })).status).toBe(400);
    const empty = await t.request('PUT', path(cat.id), { token: admin, raw: '' });
    expect(empty.status).toBe(400);
    expect((await json(empty)).message).toContain('name');
  });

  it('answers 401 without a session', async () => {
    expect((await t.request('PUT', path(cat.id), { body: { name: 'x' } })).status).toBe(401);
  });
});
