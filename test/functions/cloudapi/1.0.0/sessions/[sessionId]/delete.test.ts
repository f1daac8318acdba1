import { describe, it, expect, beforeEach } from 'vitest';
import { makeTestApp, json, type TestApp } from '#test/support/app.ts';
import { seedOrg, seedUser, USER_PASSWORD } from '#test/support/fixtures.ts';

const ME = '/cloudapi/1.0.0/sessions/current';
const current = async (t: TestApp, tok: string) => (await json(await t.request('GET', ME, { token: tok }))).id as string;

describe('DELETE /cloudapi/1.0.0/sessions/:sessionId', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await makeTestApp();
    const acme = seedOrg(t.db, 'Acme');
    await seedUser(t.db, acme.id, 'alice', 'vApp User');
    await seedUser(t.db, acme.id, 'bob', 'vApp User');
  });

  it("ends another of the caller's sessions at once", async () => {
    const a1 = await t.login('alice', USER_PASSWORD);
    const a2 = await t.login('alice', USER_PASSWORD);
    const res = await t.request('DELETE', `/cloudapi/1.0.0/sessions/${encodeURIComponent(await current(t, a2))}`, { token: a1 });
    expect(res.status).toBe(204);
    expect((await t.request('GET', ME, { token: a2 })).status).toBe(401);
    expect((await t.request('GET', ME, { token: a1 })).status).toBe(200);
  });

  it('ends the session it is called with', async () => {
    const a1 = await t.login('alice', USER_PASSWORD);
    expect((await t.request('DELETE', `/cloudapi/1.0.0/sessions/${await current(t, a1)}`, { token: a1 })).status).toBe(204);
    expect((await t.request('GET', ME, { token: a1 })).status).toBe(401);
  });

  it("answers 403 for someone else's session and leaves it alone", async () => {
    const alice = await t.login('alice', USER_PASSWORD);
    const bob = await t.login('bob', USER_PASSWORD);
    const res = await t.request('DELETE', `/cloudapi/1.0.0/sessions/${await current(t, alice)}`, { token: bob });
    expect(res.status).toBe(403);
    expect((await json(res)).minorErrorCode).toBe('ACCESS_TO_RESOURCE_IS_FORBIDDEN');
    expect((await t.request('GET', ME, { token: alice })).status).toBe(200);
  });

  it('answers 400 for a malformed id and 401 without a session', async () => {
    const alice = await t.login('alice', USER_PASSWORD);
    expect((await t.request('DELETE', '/cloudapi/1.0.0/sessions/current-ish', { token: alice })).status).toBe(400);
    expect((await t.request('DELETE', '/cloudapi/1.0.0/sessions/urn:vcloud:session:00000000-0000-4000-8000-000000000000')).status).toBe(401);
  });
});
