import { describe, it, expect, beforeEach } from 'vitest';
import { makeTestApp, json, type TestApp } from '#test/support/app.ts';
import { seedCatalog, seedOrg, seedUser, USER_PASSWORD } from '#test/support/fixtures.ts';

const PATH = '/cloudapi/1.0.0/catalogs';

describe('POST /cloudapi/1.0.0/catalogs', () => {
  let t: TestApp;
  let admin: string;
  let acme: ReturnType<typeof seedOrg>;
  let beta: ReturnType<typeof seedOrg>;
  let olga: { id: string };
  beforeEach(async () => {
    t = await makeTestApp();
    admin = await t.adminToken();
    acme = seedOrg(t.db, 'Acme');
    beta = seedOrg(t.db, 'Beta');
    olga = await seedUser(t.db, acme.id, 'olga', 'Organization Administrator');
    await seedUser(t.db, acme.id, 'alice', 'vApp User');
  });

  const post = (body: unknown, token = admin) => t.request('POST', PATH, { token, body });

  it('creates a catalog in the org named by orgId and answers 201 with Location', async () => {
    const res = await post({ name: 'Golden', description: 'images', orgId: `urn:vcloud:org:${acme.id}` });
    expect(res.status).toBe(201);
    const body = await json(res);
    expect(body).toMatchObject({
      name: 'Golden', description: 'images', org: { name: 'Acme', id: `urn:vcloud:org:${acme.id}` },
      owner: { name: 'admin' }, isPublished: false, isSubscribed: false, isLocal: true,
      numberOfVAppTemplates: 0, numberOfMedia: 0, version: 1,
    });
    expect(body.id).toMatch(/^urn:vcloud:catalog:[0-9a-f-]{36}$/);
    expect(body.creationDate).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(res.headers.get('location')).toBe(`http://localhost${PATH}/${body.id}`);
    expect((await t.request('GET', `${PATH}/${encodeURIComponent(body.id)}`, { token: admin })).status).toBe(200);
  });

  it('accepts org.id, a bare uuid and isPublished', async () => {
    const a = await json(await post({ name: 'A', org: { id: `urn:vcloud:org:${beta.id}` }, isPublished: true }));
    expect(a).toMatchObject({ org: { name: 'Beta' }, isPublished: true });
    const b = await json(await post({ name: 'B', orgId: beta.id }));
    expect(b.org.name).toBe('Beta');
  });

  it('defaults to the caller\'s operating org', async () => {
    const own = await json(await post({ name: 'Mine' }, await t.login('olga', USER_PASSWORD)));
    expect(own).toMatchObject({ org: { name: 'Acme' }, owner: { name: 'olga', id: `urn:vcloud:user:${olga.id}` } });
    const res = await t.request('POST', PATH, { token: admin, body: { name: 'Ctx' }, headers: { 'x-vmware-vcloud-tenant-context': beta.id } });
    expect((await json(res)).org.name).toBe('Beta');
    expect((await json(await post({ name: 'Prov' }))).org.name).toBe('Provider');
  });

  it('answers 400 DUPLICATE_NAME for a name taken in the same org, case-insensitively', async () => {
    seedCatalog(t.db, acme.id, 'Golden');
    const res = await post({ name: 'golden', orgId: acme.id });
    expect(res.status).toBe(400);
    const body = await json(res);
    expect(body.minorErrorCode).toBe('DUPLICATE_NAME');
    expect(body.message).toContain('name');
    expect((await post({ name: 'golden', orgId: beta.id })).status).toBe(201);
  });

  it('lets exactly one of two simultaneous creates with the same name win', async () => {
    const [a, b] = await Promise.all([post({ name: 'Race', orgId: acme.id }), post({ name: 'RACE', orgId: acme.id })]);
    expect([a.status, b.status].sort()).toEqual([201, 400]);
    const loser = a.status === 400 ? a : b;
    expect((await json(loser)).minorErrorCode).toBe('DUPLICATE_NAME');
  });

  it('lets an org admin create only in their own org', async () => {
    const tok = await t.login('olga', USER_PASSWORD);
    expect((await post({ name: 'x', orgId: acme.id }, tok)).status).toBe(201);
    const res = await post({ name: 'y', orgId: beta.id }, tok);
    expect(res.status).toBe(403);
    expect((await json(res)).message).toBe(`Organization urn:vcloud:org:${beta.id} does not exist or you do not have access`);
  });

  it('answers 403 to a vApp User', async () => {
    const res = await post({ name: 'x' }, await t.login('alice', USER_PASSWORD));
    expect(res.status).toBe(403);
    expect((await json(res)).minorErrorCode).toBe('ACCESS_TO_RESOURCE_IS_FORBIDDEN');
  });

  it('answers 403 for an org that does not exist', async () => {
    expect((await post({ name: 'x', orgId: '00000000-0000-4000-8000-000000000000' })).status).toBe(403);
  });

  it.each([
    [{}, 'name'],
    [{ name: '' }, 'name'],
    [{ name: '   ' }, 'name'],
    [{ name: 42 }, 'name'],
    [{ name: 'x'.repeat(129) }, 'name'],
    [{ name: 'x', description: 7 }, 'description'],
    [{ name: 'x', description: 'd'.repeat(4097) }, 'description'],
    [{ name: 'x', isPublished: 'yes' }, 'isPublished'],
    [{ name: 'x', orgId: 'acme' }, 'orgId'],
    [{ name: 'x', orgId: 5 }, 'orgId'],
    [{ name: 'x', org: { id: 'urn:vcloud:vdc:00000000-0000-4000-8000-000000000000' } }, 'org.id'],
    [{ name: 'x', org: 'Acme' }, 'org'],
  ])('answers 400 for %j naming the field', async (body, field) => {
    const res = await post(body);
    expect(res.status).toBe(400);
    const b = await json(res);
    expect(b.minorErrorCode).toBe('BAD_REQUEST');
    expect(b.message).toContain(field);
  });

  it('answers 400 for broken JSON and treats an empty body as {}', async () => {
    const broken = await t.request('POST', PATH, { token: admin, raw: '{', headers: { 'content-type': 'application/json' } });
    expect(broken.status).toBe(400);
    expect((await json(broken)).message).toContain('JSON');
    const empty = await t.request('POST', PATH, { token: admin, raw: '' });
    expect(empty.status).toBe(400);
    expect((await json(empty)).message).toContain('name');
  });

  it('accepts a null description', async () => {
    const res = await post({ name: 'n', description: null });
    expect(res.status).toBe(201);
    expect((await json(res)).description).toBe('');
  });

  it('answers 401 without a session', async () => {
    expect((await t.request('POST', PATH, { body: { name: 'x' } })).status).toBe(401);
  });
});
