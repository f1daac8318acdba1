import { describe, it, expect, beforeEach } from 'vitest';
import { makeTestApp, json, type TestApp } from '#test/support/app.ts';
import { seedOrg, seedUser, USER_PASSWORD } from '#test/support/fixtures.ts';
import { updateUser } from '#db/queries/users.ts';

const path = (id: string) => `/cloudapi/1.0.0/users/${encodeURIComponent(`urn:vcloud:user:${id}`)}`;

describe('GET /cloudapi/1.0.0/users/:userId', () => {
  let t: TestApp;
  let acme: ReturnType<typeof seedOrg>;
  let alice: Awaited<ReturnType<typeof seedUser>>;
  let bob: Awaited<ReturnType<typeof seedUser>>;
  let olga: Awaited<ReturnType<typeof seedUser>>;
  beforeEach(async () => {
    t = await makeTestApp();
    acme = seedOrg(t.db, 'Acme');
    const other = seedOrg(t.db, 'Other');
    await seedUser(t.db, acme.id, 'boss', 'Organization Administrator');
    alice = await seedUser(t.db, acme.id, 'alice', 'vApp User', { fullName: 'Alice A' });
    bob = await seedUser(t.db, acme.id, 'bob', 'vApp User');
    olga = await seedUser(t.db, other.id, 'olga', 'vApp User');
  });

  it("answers the user's version as a strong ETag, which a write of the row moves", async () => {
    const admin = await t.adminToken();
    expect((await t.request('GET', path(alice.id), { token: admin })).headers.get('etag')).toBe('"1"');
    updateUser(t.db, alice.id, { fullName: 'Alice B' });
    expect((await t.request('GET', path(alice.id), { token: admin })).headers.get('etag')).toBe('"2"');
  });

  it('answers one user, percent-encoded URN or not', async () => {
    const admin = await t.adminToken();
    const res = await t.request('GET', path(alice.id), { token: admin });
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ id: `urn:vcloud:user:${alice.id}`, username: 'alice', fullName: 'Alice A', orgEntityRef: { name: 'Acme' } });
    expect((await t.request('GET', `/cloudapi/1.0.0/users/urn:vcloud:user:${alice.id}`, { token: admin })).status).toBe(200);
  });

  it("lets an Organization Administrator read their org's users and answers 403 for another org's", async () => {
    const tok = await t.login('boss', USER_PASSWORD);
    expect((await t.request('GET', path(alice.id), { token: tok })).status).toBe(200);
    const res = await t.request('GET', path(olga.id), { token: tok });
    expect(res.status).toBe(403);
    expect(await json(res)).toMatchObject({ minorErrorCode: 'ACCESS_TO_RESOURCE_IS_FORBIDDEN', message: expect.stringContaining('does not exist or you do not have access') });
  });

  it('lets a vApp User read only themselves', async () => {
    const tok = await t.login('alice', USER_PASSWORD);
    expect((await t.request('GET', path(alice.id), { token: tok })).status).toBe(200);
    expect((await t.request('GET', path(bob.id), { token: tok })).status).toBe(403);
  });

  it('answers 403 for a user that does not exist, exactly like an invisible one', async () => {
    const tok = await t.login('boss', USER_PASSWORD);
    const missing = await json(await t.request('GET', path('00000000-0000-4000-8000-000000000000'), { token: tok }));
    const hidden = await json(await t.request('GET', path(olga.id), { token: tok }));
    expect(missing.minorErrorCode).toBe(hidden.minorErrorCode);
    expect(missing.code).toBe(403);
  });

  it.each(['nope', 'urn:vcloud:org:00000000-0000-4000-8000-000000000000', 'urn:vcloud:user:123'])('answers 400 for the malformed id %s', async (id) => {
    const res = await t.request('GET', `/cloudapi/1.0.0/users/${encodeURIComponent(id)}`, { token: await t.adminToken() });
    expect(res.status).toBe(400);
    expect((await json(res)).message).toContain('userId');
  });

  it('answers 401 without a session', async () => {
    expect((await t.request('GET', path(alice.id))).status).toBe(401);
  });
});
